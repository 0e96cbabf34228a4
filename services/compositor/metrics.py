"""Domain metrics of the Compositor and the one way a fallback or adjustment is recorded.

Labels are bounded sets (encoder names, outcomes, warning codes): never job ids or prompts.
"""

from __future__ import annotations

import logging

from prometheus_client import Counter, Histogram

from services.common.metrics import FALLBACKS
from services.compositor.spec import Notice

log = logging.getLogger("services.compositor")

FRAMES_ENCODED = Counter("cinesynth_compositor_frames_total", "Frames streamed into the encoder.", ["encoder"])
JOBS = Counter(
    "cinesynth_compositor_jobs_total", "Compose jobs by encoder and outcome (ok, invalid, failed, cancelled).",
    ["encoder", "outcome"],
)
COMPOSE_SECONDS = Histogram(
    "cinesynth_compositor_compose_seconds",
    "Wall time of a compose job from request to verified, stored MP4.",
    buckets=(0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600, 1200, 3600),
)
RENDER_FPS = Histogram(
    "cinesynth_compositor_render_fps",
    "Frames per second through render + encode of a finished job.",
    buckets=(5, 10, 25, 50, 100, 150, 200, 300, 500, 1000),
)


def record_notice(notice: Notice) -> Notice:
    """Log and count a fallback; the caller returns it as a Warning."""
    FALLBACKS.labels(stage=notice.stage, kind=notice.code).inc()
    log.warning("%s: %s", notice.code, notice.message)
    return notice
