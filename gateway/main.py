"""`cinesynth-gateway`: serves the public VideoService on the shared runtime.

    cinesynth-gateway                       # serve (CINESYNTH_* settings, see gateway/settings.py)
    cinesynth-gateway hash-key TENANT       # read a key on stdin, print the TENANT:SHA256 line for it
    cinesynth-gateway hash-key TENANT --generate   # make a new random key, print it and the line
"""

from __future__ import annotations

import argparse
import logging
import secrets
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath

from gateway.auth import Authenticator, hash_key
from gateway.convert import ArtifactLinks, job_json, named_links
from gateway.downstream import Downstream, RetryPolicy
from gateway.manager import JobManager, ManagerConfig
from gateway.model import ArtifactRecord
from gateway.music import MusicConfig, MusicTracks
from gateway.pipeline import Pipeline
from gateway.retention import RetentionConfig, RetentionSweeper
from gateway.service import GatewayConfig, VideoGateway
from gateway.servicer import VideoServicer
from gateway.settings import GatewaySettings
from gateway.stages.compose_segments import SegmentConfig
from gateway.stages.config import PipelineConfig
from gateway.stages.motion import MotionStageConfig
from gateway.stages.retry import StageRetry
from gateway.store import JobStore, open_job_store
from gateway.validation import MAX_DURATION_S, MIN_DURATION_S, Limits
from gateway.webhooks import WebhookConfig, WebhookSender
from services.common import pb
from services.common.artifacts import ArtifactStore, S3ArtifactStore, open_store
from services.common.entrypoint import Command, serve_cli
from services.common.server import Service

log = logging.getLogger(__name__)


@dataclass
class GatewayParts:
    """The pieces of a running gateway (tests reach in through Service.extra["gateway"])."""

    settings: GatewaySettings
    auth: Authenticator
    store: JobStore
    downstream: Downstream
    manager: JobManager
    gateway: VideoGateway
    webhooks: WebhookSender
    retention: RetentionSweeper
    links: ArtifactLinks


def artifact_links(artifacts: ArtifactStore, presign_s: float) -> ArtifactLinks:
    """Clients see artifacts by job and name; with an S3 store and `artifact_presign_s`, as presigned URLs."""
    if presign_s <= 0 or not isinstance(artifacts, S3ArtifactStore):
        return named_links
    store = artifacts

    def presigned(job_name: str, artifact: ArtifactRecord) -> str:
        return store.presigned_url(artifact.uri, int(presign_s), PurePosixPath(artifact.name).name)

    return presigned


def build_parts(settings: GatewaySettings) -> GatewayParts:
    # Configuration errors (no API keys, a bad store URL) stop the process here, before it serves.
    auth = Authenticator.from_settings(
        auth_mode=settings.auth_mode,
        api_keys=settings.api_keys,
        api_keys_file=settings.api_keys_file,
        anonymous_tenant=settings.anonymous_tenant,
    )
    store = open_job_store(settings.job_store)
    artifacts = open_store(settings.artifact_store, endpoint_url=settings.s3_endpoint_url, region=settings.s3_region)
    links = artifact_links(artifacts, settings.artifact_presign_s)
    downstream = Downstream(
        storyboard_target=settings.storyboard_target,
        audio_target=settings.audio_target,
        compositor_target=settings.compositor_target,
        resolve_interval_s=settings.imagegen_resolve_interval_s,
    )
    pipeline = Pipeline(
        downstream,
        artifacts,
        PipelineConfig(
            storyboard_timeout_s=settings.storyboard_timeout_s,
            analyze_timeout_s=settings.analyze_timeout_s,
            keyframe_timeout_s=settings.keyframe_timeout_s,
            soundtrack_timeout_s=settings.soundtrack_timeout_s,
            compose_timeout_s=settings.compose_timeout_s,
            compose_attempts=settings.compose_attempts,
            compose_retry_wait_s=settings.compose_retry_wait_s,
            keyframe_concurrency=settings.keyframe_concurrency,
            compose_presets=dict(settings.compose_presets),
            segments=SegmentConfig(
                settings.compose_segments_per_replica, settings.compose_min_segment_s,
                RetryPolicy(settings.keyframe_attempts, settings.retry_backoff_s, settings.retry_backoff_max_s),
            ),
            retry=RetryPolicy(
                settings.keyframe_attempts, settings.retry_backoff_s, settings.retry_backoff_max_s,
                busy_wait_s=settings.keyframe_busy_wait_s, unavailable_wait_s=settings.stage_retry_budget_s,
            ),
            stage_retry=StageRetry(
                settings.stage_retry_budget_s, settings.retry_backoff_s, settings.retry_backoff_max_s
            ),
            keyframe_pixels=dict(settings.keyframe_pixels),
            imagegen_targets=dict(settings.imagegen_targets),
            imagegen_default_target=settings.imagegen_target,
            motion=MotionStageConfig(
                motion_target=settings.motion_target, motion_targets=dict(settings.motion_targets),
                upscale_target=settings.upscale_target, clip_timeout_s=settings.clip_timeout_s,
                upscale_timeout_s=settings.upscale_timeout_s, clip_concurrency=settings.clip_concurrency,
            ),
            served_tiers=settings.served_tiers,
        ),
    )
    secret = settings.webhook_secret.get_secret_value().encode()
    webhooks = WebhookSender(
        WebhookConfig(
            secret=secret,
            allow_private=settings.webhook_allow_private,
            attempts=settings.webhook_attempts,
            backoff_s=settings.webhook_backoff_s,
            timeout_s=settings.webhook_timeout_s,
        )
    )
    manager = JobManager(
        store,
        pipeline,
        ManagerConfig(
            owner=settings.lease_owner,
            lease_s=settings.lease_s,
            claim_interval_s=settings.claim_interval_s,
            max_running_jobs=settings.max_running_jobs,
            job_timeout_s=settings.job_timeout_s,
            max_job_runs=settings.max_job_runs,
            progress_persist_interval_s=settings.progress_persist_interval_s,
        ),
        webhooks=webhooks,
        render_job=lambda job: job_json(job, links),
    )
    retention = RetentionSweeper(
        artifacts,
        store,
        RetentionConfig(
            upload_ttl_s=settings.upload_ttl_s,
            artifact_retention_s=settings.artifact_retention_s,
            tenant_artifact_retention_s=dict(settings.tenant_artifact_retention_s),
            interval_s=settings.retention_interval_s,
        ),
    )
    gateway = VideoGateway(
        store,
        manager,
        artifacts,
        GatewayConfig(
            limits=Limits(
                max_prompt_chars=settings.max_prompt_chars,
                default_long_edge=settings.default_long_edge,
                default_fps=settings.default_fps,
                known_voices=tuple(settings.known_voices),
            ),
            tenant_max_active_jobs=settings.tenant_max_active_jobs,
            tenant_limits=dict(settings.tenant_limits),
            webhook_allow_private=settings.webhook_allow_private,
            served_tiers=settings.served_tiers,
            watch_poll_s=settings.watch_poll_s,
            cancel_wait_s=settings.cancel_wait_s,
        ),
        music=MusicTracks(
            artifacts,
            downstream,
            MusicConfig(
                max_upload_bytes=settings.max_upload_bytes,
                library_dir=settings.music_library_dir,
                analyze_timeout_s=settings.analyze_timeout_s,
                min_duration_s=MIN_DURATION_S,
                max_duration_s=MAX_DURATION_S,
                idle_timeout_s=settings.upload_idle_timeout_s,
                max_uploads_per_tenant=settings.max_uploads_per_tenant,
                max_spool_bytes=settings.max_spool_bytes,
            ),
        ),
    )
    if not secret:
        log.warning("no webhook secret configured: callbacks are sent unsigned (set CINESYNTH_WEBHOOK_SECRET)")
    gateway.on_created = retention.record_upload_use
    return GatewayParts(settings, auth, store, downstream, manager, gateway, webhooks, retention, links)


def build_service(settings: GatewaySettings) -> Service:
    try:
        parts = build_parts(settings)
    except (ValueError, OSError) as exc:  # configuration: say what is wrong, no traceback
        print(f"cinesynth-gateway: invalid configuration: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    servicer = VideoServicer(parts.gateway, parts.auth, parts.links)

    async def start() -> None:
        # Schema first, then clients, then the claim loop: it resumes this replica's own RUNNING
        # jobs at once and adopts other replicas' when their leases have expired.
        await parts.store.open()
        await parts.downstream.start()
        await parts.manager.start()
        parts.retention.start()
        log.info(
            "gateway ready",
            extra={"job_store": parts.store.url_for_logs, "replica": settings.lease_owner, "auth": settings.auth_mode},
        )

    async def on_drain() -> None:
        # Watch streams end with UNAVAILABLE at once (clients reconnect) instead of holding SIGTERM.
        parts.gateway.begin_shutdown()

    async def stop() -> None:
        # Running jobs are interrupted, not failed: they stay RUNNING and resume on the next start.
        await parts.retention.stop()
        await parts.manager.stop(release=True)
        await parts.webhooks.close()
        await parts.downstream.close()
        await parts.store.close()

    return Service(
        name="gateway",
        service_names=[pb.VIDEO_SERVICE],
        register=lambda server: pb.video_grpc.add_VideoServiceServicer_to_server(servicer, server),
        start=start,
        stop=stop,
        on_drain=on_drain,
        extra={"gateway": parts},
    )


def _configure_hash_key(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("tenant", help="tenant the key belongs to")
    parser.add_argument("--generate", action="store_true", help="make a new random key instead of reading stdin")


def _run_hash_key(args: argparse.Namespace) -> int:
    if args.generate:
        key = secrets.token_urlsafe(32)
        print(f"key (give it to the client, store it nowhere else): {key}", file=sys.stderr)
    else:
        key = sys.stdin.readline().strip()
        if not key:
            print("hash-key: no key on stdin", file=sys.stderr)
            return 2
    print(f"{args.tenant}:{hash_key(key)}")
    return 0


COMMANDS = {
    "hash-key": Command("print the TENANT:SHA256 line of an API key", _configure_hash_key, _run_hash_key),
}


def main(argv: Sequence[str] | None = None) -> int:
    return serve_cli(
        argv, prog="cinesynth-gateway", settings_cls=GatewaySettings, build=build_service, commands=COMMANDS
    )


if __name__ == "__main__":
    raise SystemExit(main())
