"""Pieces of the pipeline's stages kept out of pipeline.py: result checks, waiting for services."""
