"""The VideoService core: create, get, list, cancel, watch and download jobs of a tenant.

Transport-agnostic: takes the tenant (already authenticated) and plain inputs, returns `Job`s and
raises domain errors. A job of another tenant is NOT_FOUND, exactly like a job that does not exist.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import json
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import astuple, dataclass

from gateway.events import JobEventRecord, events_after, last_sequence, record_event
from gateway.manager import JobManager
from gateway.metrics import JOBS_TOTAL
from gateway.model import TIERS, ArtifactRecord, Job, JobState, new_job_id
from gateway.music import MusicTracks, UploadMetadata, UploadRecord
from gateway.progress import estimate as estimate_progress
from gateway.store import JobStore, TenantLimitReached
from gateway.validation import CreateVideoInput, Limits, validate_create
from gateway.webhooks import CallbackRefused, resolve_callback
from services.common.artifacts import ArtifactStore
from services.common.errors import (
    AlreadyExists,
    Collector,
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    ResourceExhausted,
    Unavailable,
    Unimplemented,
)

# google.rpc.ErrorInfo of a request_id reused for a different request (AIP-193: reason + domain).
ERROR_DOMAIN = "cinesynth.v1.VideoService"
REQUEST_ID_REUSED = "REQUEST_ID_REUSED"

_JOB_ID = re.compile(r"^[0-9a-f]{32}$")
DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE = 20, 100
DEFAULT_CHUNK, MIN_CHUNK, MAX_CHUNK = 1024 * 1024, 4096, 4 * 1024 * 1024


@dataclass(frozen=True)
class GatewayConfig:
    limits: Limits
    tenant_max_active_jobs: int = 10
    tenant_limits: Mapping[str, int] | None = None
    webhook_allow_private: bool = False
    served_tiers: tuple[str, ...] = TIERS
    watch_poll_s: float = 1.0
    cancel_wait_s: float = 2.0


@dataclass
class JobUpdate:
    """One WatchJob event: the journal's event, the job as it is now, the warnings raised with the event."""

    job: Job
    first: bool
    new_warnings: list
    event: JobEventRecord | None = None
    missed_events: int = 0


def parse_job_name(name: str, field: str = "name") -> str:
    job_id = name[len("jobs/") :] if name.startswith("jobs/") else name
    if not _JOB_ID.match(job_id):
        raise InvalidArgument.field(field, "must be jobs/{id} or the job id")
    return job_id


def _filters_digest(state: JobState | None, labels: Mapping[str, str]) -> str:
    blob = json.dumps([state.value if state else "", sorted(labels.items())])
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def encode_page_token(cursor: tuple[int, str], state: JobState | None, labels: Mapping[str, str]) -> str:
    raw = json.dumps([cursor[0], cursor[1], _filters_digest(state, labels)], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_page_token(token: str, state: JobState | None, labels: Mapping[str, str]) -> tuple[int, str]:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        create_us, job_id, digest = json.loads(raw)
        if not isinstance(create_us, int) or not isinstance(job_id, str) or not _JOB_ID.match(job_id):
            raise ValueError
    except (ValueError, TypeError, binascii.Error, json.JSONDecodeError):
        raise InvalidArgument.field("page_token", "not a page token of this service") from None
    if digest != _filters_digest(state, labels):
        raise InvalidArgument.field("page_token", "was issued for different filters")
    return create_us, job_id


class VideoGateway:
    def __init__(
        self, store: JobStore, manager: JobManager, artifacts: ArtifactStore, config: GatewayConfig,
        music: MusicTracks | None = None,
    ) -> None:
        self.store = store
        self.manager = manager
        self.artifacts = artifacts
        self.config = config
        self.music = music
        # Set when the server starts draining: open watch streams end so SIGTERM is not held up.
        self.closing = asyncio.Event()
        # Told of every new job (the retention sweep marks the upload it uses).
        self.on_created: Callable[[Job], Awaitable[None]] | None = None

    def begin_shutdown(self) -> None:
        self.closing.set()

    def _tenant_limit(self, tenant: str) -> int:
        return (self.config.tenant_limits or {}).get(tenant, self.config.tenant_max_active_jobs)

    async def create(self, tenant: str, request: CreateVideoInput) -> tuple[Job, bool]:
        """(job, created): an earlier job of the same tenant and request_id is returned as it is."""
        errors = Collector()
        valid = validate_create(request, self.config.limits, errors)
        if request.callback_url and len(request.callback_url) <= 2048:
            try:
                await asyncio.to_thread(resolve_callback, request.callback_url, self.config.webhook_allow_private)
            except CallbackRefused as exc:
                errors.add("callback_url", str(exc))
        errors.raise_if_any()
        assert valid is not None
        self._check_tier_served(valid.spec.tier, valid.spec.allow_degrade)
        if valid.source_kind == "music":
            if self.music is None:
                raise Unimplemented("music-video mode is not configured on this gateway")
            assert valid.music is not None
            # An unknown upload (or one of another tenant) or library id is refused before anything is made.
            valid.music = await self.music.resolve(tenant, valid.music)
        job = Job(
            id=new_job_id(),
            tenant=tenant,
            request_id=valid.request_id,
            request_hash=valid.request_hash,
            spec=valid.spec,
            source_kind=valid.source_kind,
            prompt=valid.prompt,
            source_storyboard=valid.storyboard,
            music=valid.music,
            labels=valid.labels,
            callback_url=valid.callback_url,
        )
        job.progress, job.stage_progress, job.eta_s = astuple(estimate_progress(job))
        record_event(job, job.eta_s)  # sequence 1: queued
        try:
            stored, created = await self.store.create(job, max_active=self._tenant_limit(tenant))
        except TenantLimitReached as exc:
            raise ResourceExhausted(
                f"too many active jobs: {exc.active} queued or running, the limit is {exc.limit}"
            ) from None
        if not created and stored.request_hash != valid.request_hash:
            raise AlreadyExists(
                f"request_id {valid.request_id!r} was already used for a different request (job {stored.name})",
                reason=REQUEST_ID_REUSED,
                domain=ERROR_DOMAIN,
                metadata={"job": stored.name, "request_id": valid.request_id},
                resource_type="cinesynth.v1.Job",
                resource_name=stored.name,
            )
        if created:
            JOBS_TOTAL.labels(JobState.QUEUED.value).inc()
            if self.on_created is not None:
                await self.on_created(stored)
            self.manager.wake()
        return stored, created

    def _check_tier_served(self, tier: str, allow_degrade: bool) -> None:
        """A tier no pool is configured for can never be rendered: refuse it now, not minutes later.
        (A configured pool that is down or scaled to zero is waited for by the job.)"""
        served = self.config.served_tiers
        usable = [t for t in served if t == tier or (allow_degrade and TIERS.index(t) < TIERS.index(tier))]
        if not usable:
            offered = ", ".join(served) or "none"
            hint = "" if allow_degrade else " (or allow degrading to a lower one)"
            raise FailedPrecondition(
                f"tier {tier} is not served by this gateway; tiers served: {offered}. Ask for a served tier{hint}"
            )

    async def upload_music(
        self, tenant: str, metadata: UploadMetadata, chunks: AsyncIterator[bytes], *, timeout_s: float | None = None
    ) -> UploadRecord:
        if self.music is None:
            raise Unimplemented("music-video mode is not configured on this gateway")
        return await self.music.upload(tenant, metadata, chunks, timeout_s=timeout_s)

    async def _current(self, job_id: str) -> Job | None:
        return self.manager.live(job_id) or await self.store.get(job_id)

    async def get(self, tenant: str, name: str) -> Job:
        job_id = parse_job_name(name)
        job = self.manager.live(job_id)
        if job is None or job.tenant != tenant:
            job = await self.store.get(job_id, tenant)
        if job is None:
            raise NotFound(f"job {name} not found")
        return job

    async def list(
        self,
        tenant: str,
        *,
        state: JobState | None = None,
        labels: Mapping[str, str] | None = None,
        page_size: int = 0,
        page_token: str = "",
    ) -> tuple[list[Job], str]:
        labels = dict(labels or {})
        if page_size < 0:
            raise InvalidArgument.field("page_size", "must not be negative")
        size = min(page_size or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
        after = decode_page_token(page_token, state, labels) if page_token else None
        page = await self.store.list(tenant, state=state, labels=labels, page_size=size, after=after)
        jobs = [self.manager.live(job.id) or job for job in page.jobs]
        token = encode_page_token(page.next_cursor, state, labels) if page.next_cursor else ""
        return jobs, token

    async def cancel(self, tenant: str, name: str) -> Job:
        job = await self.get(tenant, name)
        if job.terminal:
            return job
        await self.store.request_cancel(job.id)
        if not self.manager.cancel_local(job.id):
            # Queued, or orphaned: take it over so it is cancelled now. Held by a live replica:
            # that one sees the flag when it renews its lease.
            await self.manager.take_over(job.id)
        deadline = time.monotonic() + self.config.cancel_wait_s
        while not job.terminal and time.monotonic() < deadline:
            waiter = self.manager.changes.waiter(job.id)
            job = await self._current(job.id) or job
            if job.terminal:
                break
            try:
                async with asyncio.timeout(min(self.config.watch_poll_s, max(deadline - time.monotonic(), 0.01))):
                    await waiter.wait()
            except TimeoutError:
                pass
        return job

    async def watch(self, tenant: str, name: str, after_sequence: int = 0) -> AsyncIterator[JobUpdate]:
        """after_sequence 0: the job now (first), then every event of its journal until it is terminal;
        N > 0: every event after N. Sequence numbers are the journal's (gateway/events.py)."""
        if after_sequence < 0:
            raise InvalidArgument.field("after_sequence", f"must be >= 0 (got {after_sequence})")
        job = await self.get(tenant, name)
        last: int | None = after_sequence or None
        first = True
        while True:
            waiter = self.manager.changes.waiter(job.id)
            current = await self._current(job.id)
            if current is not None:
                job = current
            if last is None:
                latest = JobEventRecord.from_dict(job.events[-1]) if job.events else None
                yield JobUpdate(job, True, job.warnings[: latest.warnings_end] if latest else [], latest)
                last, first = last_sequence(job), False
            else:
                events, missed = events_after(job, last)
                for event in events:
                    warnings = job.warnings[event.warnings_start : event.warnings_end]
                    yield JobUpdate(job, first, warnings, event, missed if first else 0)
                    first, last = False, event.sequence
            if job.terminal and last >= last_sequence(job):
                return
            if self.closing.is_set():
                raise Unavailable("the gateway is restarting; watch the job again to continue")
            changed = asyncio.ensure_future(waiter.wait())
            closing = asyncio.ensure_future(self.closing.wait())
            try:
                await asyncio.wait({changed, closing}, timeout=self.config.watch_poll_s,
                                   return_when=asyncio.FIRST_COMPLETED)
            finally:
                changed.cancel()
                closing.cancel()

    async def artifact(self, tenant: str, name: str, artifact_name: str, kind: str) -> ArtifactRecord:
        job = await self.get(tenant, name)
        # The artifact's public URI (jobs/{id}/artifacts/{name}) names it as well as its name does.
        artifact_name = artifact_name.removeprefix(f"{job.name}/artifacts/")
        if artifact_name:
            found = job.artifact(artifact_name)
        elif kind:
            found = next((a for a in job.artifacts_in_order() if a.kind == kind), None)
        else:
            raise InvalidArgument.field("artifact", "name an artifact or give its kind")
        if found is None:
            what = artifact_name or f"of kind {kind}"
            raise NotFound(f"job {job.name} has no artifact {what} (state {job.state.value})")
        try:
            self.artifacts.key_for(found.uri)
        except InvalidArgument:
            raise FailedPrecondition(f"artifact {found.name} is not in this gateway's artifact store") from None
        return found

    async def read_chunks(self, artifact: ArtifactRecord, chunk_size: int) -> AsyncIterator[bytes]:
        if chunk_size < 0:
            raise InvalidArgument.field("chunk_size", "must not be negative")
        size = min(max(chunk_size or DEFAULT_CHUNK, MIN_CHUNK), MAX_CHUNK)
        handle = await asyncio.to_thread(self.artifacts.open_read, artifact.uri)
        try:
            while True:
                block = await asyncio.to_thread(handle.read, size)
                if not block:
                    return
                yield block
        finally:
            await asyncio.to_thread(handle.close)
