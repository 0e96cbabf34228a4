"""Subcommands of the `cinesynth` CLI, one module each (see client/cli.py)."""
