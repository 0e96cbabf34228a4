"""The gateway's domain metrics (no job ids, prompts or tenants in labels)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

STAGE_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600, 1200, 1800)

JOBS_TOTAL = Counter(
    "cinesynth_jobs_total",
    "Job state transitions by the state entered (queued on create, running on every run, then terminal).",
    ["state"],
)
JOBS_INFLIGHT = Gauge("cinesynth_jobs_inflight", "Jobs running on this replica.")
STAGE_SECONDS = Histogram(
    "cinesynth_stage_seconds", "Duration of pipeline stages.", ["stage"], buckets=STAGE_BUCKETS
)
JOB_WARNINGS = Counter(
    "cinesynth_job_warnings_total", "Warnings (fallbacks, degradations) recorded on jobs.", ["stage", "code"]
)
KEYFRAME_RETRIES = Counter(
    "cinesynth_keyframe_retries_total", "Keyframe calls retried on another worker, by status code.", ["code"]
)
JOBS_RESUMED = Counter(
    "cinesynth_jobs_resumed_total", "Running jobs picked up again after a restart or from a dead replica."
)
WEBHOOK_DELIVERIES = Counter(
    "cinesynth_webhook_deliveries_total", "Webhook delivery attempts by outcome.", ["outcome"]
)
MUSIC_UPLOADS = Counter(
    "cinesynth_music_uploads_total", "UploadMusic calls by outcome (accepted, refused, failed).", ["outcome"]
)
STAGE_WAITS = Counter(
    "cinesynth_stage_waits_total",
    "Stages that found their service unreachable and waited for it to come back (one per stage run).",
    ["stage"],
)
KEYFRAMES_WAITING = Gauge(
    "cinesynth_keyframes_waiting",
    "Keyframes refused by every image worker of their tier (busy or unreachable) and waiting for capacity: "
    "the unmet demand the image-worker autoscaler scales on.",
    ["tier"],
)
RETENTION_DELETIONS = Counter(
    "cinesynth_retention_deletions_total",
    "Deletions by the retention sweep: uploads no job uses past their TTL (upload), finished jobs' "
    "artifacts past their tenant's retention (job_artifacts).",
    ["kind"],
)
