"""Nothing in the artifact store lives for ever: uploads no job uses expire after `upload_ttl_s`, and
a finished job's artifacts after its tenant's retention (`artifact_retention_s`, per-tenant overrides).

A job made from an upload marks the upload as used (`uploads/<tenant>/<id>/refs/<job id>`): the
upload then lives as long as such a job keeps its artifacts (the job's music artifact is the upload);
one that no job uses is deleted `upload_ttl_s` after it was made. A job whose artifacts are deleted keeps its record:
GetJob still answers, with no artifacts and an `artifacts_expired` warning. Each deletion counts in
`cinesynth_retention_deletions_total{kind}`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

from gateway.metrics import RETENTION_DELETIONS
from gateway.model import Job, WarningRecord
from gateway.music import tenant_part
from gateway.store import JobStore
from services.common.artifacts import ArtifactStore
from services.common.errors import CinesynthError

log = logging.getLogger(__name__)

BATCH = 100


@dataclass(frozen=True)
class RetentionConfig:
    upload_ttl_s: float = 24 * 3600.0
    artifact_retention_s: float = 30 * 24 * 3600.0
    tenant_artifact_retention_s: Mapping[str, float] = field(default_factory=dict)
    interval_s: float = 600.0


def upload_prefix(tenant: str, upload_id: str) -> str:
    return f"uploads/{tenant_part(tenant)}/{upload_id}"


def upload_ref_key(tenant: str, upload_id: str, job_id: str) -> str:
    return f"{upload_prefix(tenant, upload_id)}/refs/{job_id}"


@dataclass
class SweepResult:
    uploads_deleted: int = 0
    jobs_expired: int = 0


class RetentionSweeper:
    def __init__(self, artifacts: ArtifactStore, store: JobStore, config: RetentionConfig) -> None:
        self.artifacts = artifacts
        self.store = store
        self.config = config
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self.config.interval_s > 0:
            self._task = asyncio.create_task(self._loop(), name="retention")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _loop(self) -> None:
        while True:
            try:
                result = await self.sweep()
                if result.uploads_deleted or result.jobs_expired:
                    log.info("retention sweep", extra={"uploads": result.uploads_deleted, "jobs": result.jobs_expired})
            except CinesynthError as exc:  # the store or the database is away: next time
                log.warning("retention sweep failed", extra={"error": exc.message})
            except Exception:
                log.exception("retention sweep error")
            await asyncio.sleep(self.config.interval_s)

    async def record_upload_use(self, job: Job) -> None:
        """Mark the upload a new job uses, so it is kept while the job keeps its artifacts."""
        if job.music is not None and job.music.upload_id:
            key = upload_ref_key(job.tenant, job.music.upload_id, job.id)
            try:
                await asyncio.to_thread(self.artifacts.put_bytes, key, job.id.encode(), "text/plain")
            except CinesynthError as exc:  # the job is made; its upload may only expire sooner
                log.warning("upload use not recorded", extra={"error": exc.message})

    async def sweep(self, now: float | None = None) -> SweepResult:
        now = time.time() if now is None else now
        result = SweepResult()
        result.jobs_expired = await self._expire_jobs(now)
        result.uploads_deleted = await asyncio.to_thread(self._expire_uploads, now)
        return result

    async def _expire_jobs(self, now: float) -> int:
        overrides = dict(self.config.tenant_artifact_retention_s)
        groups: list[tuple[float, dict[str, object]]] = [
            (retention, {"tenants": [tenant]}) for tenant, retention in overrides.items()
        ]
        groups.append((self.config.artifact_retention_s, {"other_tenants_than": list(overrides)}))
        expired = 0
        for retention, selector in groups:
            while True:
                jobs = await self.store.expired_jobs(now - retention, limit=BATCH, **selector)  # type: ignore[arg-type]
                for job in jobs:
                    await self._expire_job(job, retention)
                expired += len(jobs)
                if len(jobs) < BATCH:
                    break
        return expired

    async def _expire_job(self, job: Job, retention_s: float) -> None:
        await asyncio.to_thread(self.artifacts.delete_prefix, f"jobs/{job.id}")
        if job.music is not None and job.music.upload_id:
            key = upload_ref_key(job.tenant, job.music.upload_id, job.id)
            await asyncio.to_thread(self.artifacts.delete, self.artifacts.uri_for(key))
        days = retention_s / 86400
        warning = WarningRecord(
            "artifacts_expired",
            f"the job's artifacts were deleted after the retention of {days:g} days" if days >= 1
            else f"the job's artifacts were deleted after the retention of {retention_s:g} s",
            "done",
        )
        await self.store.mark_artifacts_expired(job.id, warning)
        RETENTION_DELETIONS.labels("job_artifacts").inc()

    def _expire_uploads(self, now: float) -> int:
        uploads: dict[str, list[tuple[str, float]]] = {}
        for key, modified in self.artifacts.list_keys("uploads"):
            parts = key.split("/")
            if len(parts) >= 4:
                uploads.setdefault("/".join(parts[:3]), []).append((key, modified))
        deleted = 0
        for prefix, objects in uploads.items():
            if any(key.startswith(f"{prefix}/refs/") for key, _ in objects):
                continue  # a job still keeps its artifacts made from this upload
            newest = max(modified for _, modified in objects)
            if now - newest >= self.config.upload_ttl_s:
                self.artifacts.delete_prefix(prefix)
                RETENTION_DELETIONS.labels("upload").inc()
                deleted += 1
        return deleted
