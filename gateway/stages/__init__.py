"""Pieces of the pipeline's stages kept out of pipeline.py (a shared hot spot): result checks, waiting
for services, the motion and upscale stages."""
