"""ImageGen domain metrics (the autoscaler reads in-flight and queue depth). No prompts or job ids."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

# A keyframe takes ~0.05 s (draft) to minutes (SDXL on a small GPU with offload).
KEYFRAME_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60, 120, 300, 600)

INFLIGHT = Gauge("cinesynth_imagegen_inflight", "Generation requests running on the device.")
QUEUE_DEPTH = Gauge("cinesynth_imagegen_queue_depth", "Generation requests admitted and waiting for the device.")
MODEL_INFO = Gauge(
    "cinesynth_imagegen_model_info",
    "The model this worker serves (value 1).",
    ["model", "tier", "device"],
)
VRAM_BYTES = Gauge(
    "cinesynth_imagegen_vram_bytes",
    "Device memory as measured at scrape time (kind=total|free); 0 on a CPU worker.",
    ["kind"],
)
OOM_TOTAL = Counter("cinesynth_imagegen_oom_total", "Out-of-memory errors caught while rendering.", ["tier"])
DEGRADED_TOTAL = Counter(
    "cinesynth_imagegen_degraded_total",
    "Keyframes rendered at a lower tier than requested.",
    ["from_tier", "to_tier", "reason"],
)
KEYFRAME_SECONDS = Histogram(
    "cinesynth_imagegen_keyframe_seconds",
    "Seconds of device time per keyframe (a batch's time divided among its keyframes).",
    ["tier"],
    buckets=KEYFRAME_BUCKETS,
)
KEYFRAMES_TOTAL = Counter(
    "cinesynth_imagegen_keyframes_total",
    "Keyframes returned, by tier and whether the cache served them.",
    ["tier", "cached"],
)
REJECTED_TOTAL = Counter(
    "cinesynth_imagegen_rejected_total", "Requests refused with RESOURCE_EXHAUSTED because the queue was full."
)
