"""Data shipped with the Storyboard service (the evaluation reference sets)."""
