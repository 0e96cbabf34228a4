"""Settings of the gateway (CINESYNTH_* environment variables, flags override).

Dicts are JSON in the environment, e.g.
`CINESYNTH_IMAGEGEN_TARGETS='{"ultra": "dns:///imagegen-ultra:50053", "standard": "dns:///imagegen-sd:50053"}'`.
"""

from __future__ import annotations

import socket
from typing import Literal

from pydantic import Field, SecretStr, field_validator

from gateway.model import TIERS
from services.common.settings import OptionalPort, Port, ServiceSettings
from services.compositor.settings import X264_PRESETS


class GatewaySettings(ServiceSettings):
    service_name: str = "gateway"
    port: Port = 50051
    metrics_port: OptionalPort = 9091

    # --- downstream services -------------------------------------------------------------------
    storyboard_target: str = Field("127.0.0.1:50052", description="StoryboardService address.")
    audio_target: str = Field("127.0.0.1:50054", description="AudioService address.")
    compositor_target: str = Field("127.0.0.1:50055", description="CompositorService address.")
    imagegen_target: str = Field(
        "127.0.0.1:50053",
        description="ImageGen workers for every tier without its own entry in imagegen_targets. A DNS name "
        "resolving to several addresses (a headless Service) is spread over all of them.",
    )
    imagegen_targets: dict[str, str] = Field(
        default_factory=dict, description="Per-tier ImageGen pools: tier name (draft/turbo/standard/ultra) -> target."
    )
    motion_target: str = Field(
        "127.0.0.1:50056", description="MotionService pool (image-to-video clips) for jobs with a motion tier."
    )
    motion_targets: dict[str, str] = Field(
        default_factory=dict, description="Per motion tier pools: standard/ultra -> target (else motion_target)."
    )
    upscale_target: str = Field("127.0.0.1:50056", description="UpscaleService pool (the cinema profile).")
    clip_timeout_s: float = Field(1800.0, gt=0, description="Deadline of one GenerateClips call (one shot).")
    upscale_timeout_s: float = Field(1800.0, gt=0, description="Deadline of one job's UpscaleMedia call.")
    clip_concurrency: int = Field(2, ge=1, le=64, description="Shot clips of one job requested at once.")
    imagegen_default_tiers: list[str] = Field(
        default_factory=lambda: list(TIERS),
        description="Tiers the imagegen_target pool serves (beside the tiers of imagegen_targets). A request "
        "for a tier no pool is configured for is refused at CreateVideo with FAILED_PRECONDITION; empty "
        "imagegen_target = only the imagegen_targets pools.",
    )
    imagegen_resolve_interval_s: float = Field(
        10.0, gt=0, description="How often the ImageGen targets are re-resolved (new pods get work)."
    )

    # --- jobs ----------------------------------------------------------------------------------
    job_store: str = Field(
        "sqlite:///./run/jobs.db",
        description="sqlite:///PATH (one node) or postgresql://USER@HOST:PORT/DB[?schema=NAME] (replicas).",
    )
    replica_id: str = Field("", description="This replica's lease owner id; empty = hostname:port.")
    lease_s: float = Field(30.0, gt=0, description="A job's lease; a replica silent this long loses its jobs.")
    claim_interval_s: float = Field(1.0, gt=0, description="How often queued and orphaned jobs are looked for.")
    max_running_jobs: int = Field(4, ge=1, description="Jobs this replica runs at once (the rest wait queued).")
    job_timeout_s: float = Field(3600.0, gt=0, description="Deadline of one run of a job.")
    max_job_runs: int = Field(
        5, ge=1, description="Runs a job may start before it FAILS (a job that keeps crashing its runner or "
        "replica ends instead of looping); graceful stops (SIGTERM) do not count.",
    )
    storyboard_timeout_s: float = Field(300.0, gt=0, description="Deadline of CreateStoryboard.")
    analyze_timeout_s: float = Field(300.0, gt=0, description="Deadline of AnalyzeMusic.")
    keyframe_timeout_s: float = Field(600.0, gt=0, description="Deadline of one keyframe's GenerateKeyframes.")
    soundtrack_timeout_s: float = Field(600.0, gt=0, description="Deadline of CreateSoundtrack.")
    compose_timeout_s: float = Field(1800.0, gt=0, description="Deadline of ComposeVideo.")
    compose_attempts: int = Field(
        2, ge=1, le=5,
        description="Calls of ComposeVideo when the compositor is lost (UNAVAILABLE, e.g. killed mid-encode): "
        "2 = retried once, after it is reachable again.",
    )
    compose_retry_wait_s: float = Field(
        120.0, gt=0, description="How long a lost compositor may take to come back before the job fails."
    )
    keyframe_concurrency: int = Field(4, ge=1, le=256, description="Keyframes of one job in flight at once.")
    compose_segments_per_replica: int = Field(
        0, ge=0, le=16,
        description="Segment-parallel compose: the film's video is split (at cuts where it can) into this many "
        "segments per compositor replica, rendered across all of them while the soundtrack is made, then joined "
        "by stream copy (make bench-e2e runs with 1). 0 = one ComposeVideo call after the soundtrack, retried "
        "after a lost compositor as compose_attempts says.",
    )
    compose_min_segment_s: float = Field(
        2.0, gt=0, le=600, description="No compose segment is shorter than this (each starts with an intra frame)."
    )
    compose_presets: dict[str, str] = Field(
        default_factory=lambda: {"draft": "veryfast"},
        description="x264 preset per quality tier used (JSON); a tier not named gets the compositor's default "
        "(medium). A draft animatic is flat cards and text: a faster preset costs it nothing visible.",
    )
    keyframe_attempts: int = Field(
        8, ge=1, description="Tries per keyframe and tier when workers answer RESOURCE_EXHAUSTED/UNAVAILABLE "
        "and a lower tier may take over (allow_degrade); without one the keyframe waits instead."
    )
    stage_retry_budget_s: float = Field(
        120.0, gt=0, description="How long a stage waits for its service to come back when it is unreachable "
        "(UNAVAILABLE: a pod killed, rescheduled or rolled; an image pool scaled to zero) before the job fails. "
        "Other errors are never retried. Capped by the job's deadline.",
    )
    keyframe_busy_wait_s: float = Field(
        0.0, ge=0, description="How long a keyframe waits while every image worker of its tier is busy "
        "(RESOURCE_EXHAUSTED) and no lower tier may take over; 0 = up to the job's deadline.",
    )
    retry_backoff_s: float = Field(0.2, ge=0, description="First retry delay (doubles, with jitter).")
    retry_backoff_max_s: float = Field(2.0, ge=0, description="Longest retry delay.")
    progress_persist_interval_s: float = Field(
        0.5, ge=0, description="Progress-only updates reach the store at most this often (events are live)."
    )
    watch_poll_s: float = Field(1.0, gt=0, description="WatchJob re-reads the store this often for remote jobs.")
    cancel_wait_s: float = Field(2.0, ge=0, description="CancelJob waits this long for the job to stop.")

    # --- requests ------------------------------------------------------------------------------
    max_prompt_chars: int = Field(4000, ge=1, description="Longest prompt accepted.")
    default_long_edge: int = Field(
        1280, ge=64, le=3840, description="Long edge of the aspect presets when no size is given "
        "(1280 -> 1280x720 for 16:9; 768 -> 768x432 keeps a CPU demo fast)."
    )
    default_fps: int = Field(24, ge=12, le=60, description="Frame rate when none is given.")
    keyframe_pixels: dict[str, int] = Field(
        default_factory=lambda: {"draft": 0, "turbo": 512 * 512, "standard": 768 * 512, "ultra": 1024 * 1024},
        description="Keyframe area per tier (the output's aspect is kept); 0 = the output size.",
    )
    known_voices: list[str] = Field(
        default_factory=lambda: ["piper", "gtts", "none"], description="Voices a request may name."
    )

    # --- music-video mode ----------------------------------------------------------------------
    max_upload_bytes: int = Field(
        50 * 1024 * 1024, ge=1, description="Largest UploadMusic file (refused as soon as a stream passes it)."
    )
    upload_idle_timeout_s: float = Field(
        30.0, gt=0, description="An UploadMusic stream that sends nothing for this long is dropped "
        "(DEADLINE_EXCEEDED).",
    )
    max_uploads_per_tenant: int = Field(
        4, ge=1, description="UploadMusic streams one tenant may have open at once (beyond: RESOURCE_EXHAUSTED).",
    )
    max_spool_bytes: int = Field(
        256 * 1024 * 1024, ge=1, description="Bytes all uploads being received may hold in spool files together "
        "(beyond: the upload is refused RESOURCE_EXHAUSTED; the client tries again).",
    )
    artifact_presign_s: float = Field(
        0.0, ge=0, le=7 * 24 * 3600, description="With an s3:// artifact store: artifact URIs shown to clients are "
        "presigned GET URLs valid this long; 0 = jobs/{id}/artifacts/{name} (fetched with DownloadArtifact).",
    )
    music_library_dir: str | None = Field(
        None, description="Directory of licensed tracks with library.json/.yaml (the audio service's format); "
        "CreateVideo's music.library_track_id names one of its tracks.",
    )

    # --- retention -----------------------------------------------------------------------------
    upload_ttl_s: float = Field(
        24 * 3600.0, gt=0, description="UploadMusic files that no job uses are deleted this long after the upload.",
    )
    artifact_retention_s: float = Field(
        30 * 24 * 3600.0, gt=0, description="A finished job's artifacts are deleted this long after it ended "
        "(the job record stays, with an artifacts_expired warning).",
    )
    tenant_artifact_retention_s: dict[str, float] = Field(
        default_factory=dict, description="Per-tenant overrides of artifact_retention_s."
    )
    retention_interval_s: float = Field(
        600.0, ge=0, description="How often the retention sweep runs (0 = never; run it on one replica or all)."
    )

    # --- tenants -------------------------------------------------------------------------------
    auth_mode: Literal["api_key", "none"] = Field(
        "api_key", description="api_key: every call needs `authorization: Bearer KEY`; none: local use only."
    )
    api_keys: str = Field(
        "", description="Comma-separated TENANT:SHA256HEX pairs (hash of the key, never the key itself)."
    )
    api_keys_file: str | None = Field(None, description="File of TENANT:SHA256HEX lines (# comments).")
    anonymous_tenant: str = Field("local", description="Tenant of every call when auth_mode=none.")
    tenant_max_active_jobs: int = Field(10, ge=1, description="Queued + running jobs a tenant may have.")
    tenant_limits: dict[str, int] = Field(default_factory=dict, description="Per-tenant overrides of that limit.")

    # --- webhooks ------------------------------------------------------------------------------
    webhook_secret: SecretStr = Field(SecretStr(""), description="HMAC-SHA256 key of X-Cinesynth-Signature.")
    webhook_allow_private: bool = Field(
        False, description="Allow callbacks to loopback/private/link-local addresses (local testing only)."
    )
    webhook_attempts: int = Field(6, ge=1, description="Delivery attempts before giving up.")
    webhook_backoff_s: float = Field(1.0, ge=0, description="First retry delay (doubles).")
    webhook_timeout_s: float = Field(10.0, gt=0, description="Timeout of one delivery attempt.")

    @field_validator("imagegen_default_tiers")
    @classmethod
    def _known_tier_names(cls, value: list[str]) -> list[str]:
        unknown = sorted(set(value) - set(TIERS))
        if unknown:
            raise ValueError(f"unknown tier(s) {unknown}; use {list(TIERS)}")
        return value

    @property
    def served_tiers(self) -> tuple[str, ...]:
        """Tiers some pool is configured for, lowest first."""
        served = set(self.imagegen_targets) | (set(self.imagegen_default_tiers) if self.imagegen_target else set())
        return tuple(t for t in TIERS if t in served)

    @field_validator("imagegen_targets", "keyframe_pixels", "compose_presets")
    @classmethod
    def _known_tiers(cls, value: dict[str, object]) -> dict[str, object]:
        unknown = sorted(set(value) - set(TIERS))
        if unknown:
            raise ValueError(f"unknown tier(s) {unknown}; use {list(TIERS)}")
        return value

    @field_validator("compose_presets")
    @classmethod
    def _x264_presets(cls, value: dict[str, str]) -> dict[str, str]:
        bad = sorted(p for p in value.values() if p not in X264_PRESETS)
        if bad:
            raise ValueError(f"unknown x264 preset(s) {bad}; use {list(X264_PRESETS)}")
        return value

    def imagegen_target_for(self, tier: str) -> str:
        return self.imagegen_targets.get(tier) or self.imagegen_target

    @property
    def lease_owner(self) -> str:
        return self.replica_id or f"{socket.gethostname()}:{self.port}"
