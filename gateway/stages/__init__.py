"""Pipeline stages kept out of gateway/pipeline.py (a shared hot spot): each is called from one line there."""
