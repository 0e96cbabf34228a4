"""Subcommands of the `cinesynth` CLI, one module each (see gateway/cli.py)."""
