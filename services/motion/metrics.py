"""Motion and upscale domain metrics (the autoscaler reads in-flight and queue depth). No prompts or ids."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

CLIP_BUCKETS = (0.25, 0.5, 1, 2, 4, 8, 15, 30, 60, 120, 300, 600, 1200)

INFLIGHT = Gauge("cinesynth_motion_inflight", "Clip requests rendering on the device.")
QUEUE_DEPTH = Gauge("cinesynth_motion_queue_depth", "Clips admitted and waiting for the device.")
MODEL_INFO = Gauge("cinesynth_motion_model_info", "The motion model this worker serves (value 1).",
                   ["model", "tier", "device"])
OOM_TOTAL = Counter("cinesynth_motion_oom_total", "Out-of-memory errors caught while rendering clips.", ["model"])
CLIP_SECONDS = Histogram("cinesynth_motion_clip_seconds", "Seconds of device time per clip.", ["model"],
                         buckets=CLIP_BUCKETS)
CLIPS_TOTAL = Counter("cinesynth_motion_clips_total", "Clips returned, by tier and cache hit.", ["tier", "cached"])
SEGMENTS_TOTAL = Counter("cinesynth_motion_segments_total", "Model calls made for clips.", ["model"])

UPSCALE_INFLIGHT = Gauge("cinesynth_upscale_inflight", "Upscale items being processed.")
UPSCALE_QUEUE_DEPTH = Gauge("cinesynth_upscale_queue_depth", "Upscale items admitted and waiting.")
UPSCALE_SECONDS = Histogram("cinesynth_upscale_frame_seconds", "Seconds per upscaled frame.", ["method"],
                            buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60, 120))
UPSCALE_TOTAL = Counter("cinesynth_upscale_items_total", "Items upscaled, by method.", ["method"])
