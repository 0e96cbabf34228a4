"""Runs jobs on this replica: claims work from the store under leases, runs each job's pipeline,
publishes its changes to watchers, delivers its webhook.

Leases: the manager renews the leases of its running jobs every `lease_s / 3`; a replica that
dies stops renewing and, `lease_s` later, any replica's claim loop adopts its jobs and resumes
them from their checkpoints. On a graceful stop (SIGTERM) running jobs are interrupted, NOT
failed: they stay RUNNING, their leases are released, and the next start (or another replica)
resumes them at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import astuple, dataclass

from gateway.events import record_event
from gateway.finite import describe, without_non_finite
from gateway.metrics import JOB_WARNINGS, JOBS_INFLIGHT, JOBS_RESUMED, JOBS_TOTAL, STAGE_SECONDS
from gateway.model import ErrorInfo, Job, JobState, Stage, StageTiming, WarningRecord, from_document, now, to_document
from gateway.pipeline import Pipeline
from gateway.progress import STAGE_COSTS
from gateway.progress import estimate as estimate_progress
from gateway.redact import public_message
from gateway.stages.base import StageFailed
from gateway.store import JobStore, LeaseLost, StoreUnavailable, UnstorableJob
from gateway.webhooks import WebhookSender
from services.common.errors import CinesynthError, DeadlineExceeded
from services.common.logs import job_id_var

log = logging.getLogger(__name__)

# Stages that may run at the same time, in the order the job's `stage` reports them.
STAGE_ORDER = (
    Stage.ANALYZE_MUSIC, Stage.STORYBOARD, Stage.KEYFRAMES, Stage.SOUNDTRACK,
    Stage.MOTION, Stage.UPSCALE, Stage.COMPOSE,
)
# The stage that writes each checkpoint of the job's document.
_CHECKPOINT_STAGES = {
    "music_analysis": Stage.ANALYZE_MUSIC, "storyboard": Stage.STORYBOARD, "keyframes": Stage.KEYFRAMES,
    "soundtrack": Stage.SOUNDTRACK,
}


@dataclass(frozen=True)
class ManagerConfig:
    owner: str
    lease_s: float = 30.0
    claim_interval_s: float = 1.0
    max_running_jobs: int = 4
    job_timeout_s: float = 3600.0
    progress_persist_interval_s: float = 0.5
    # Runs a job may start before it is failed: a job that keeps taking its runner down
    # (or its replica) must end, not loop. Graceful stops (SIGTERM) do not count.
    max_job_runs: int = 5


class Changes:
    """Wakes the watchers of a job when it changes (on this replica)."""

    def __init__(self) -> None:
        self._events: dict[str, asyncio.Event] = {}

    def waiter(self, job_id: str) -> asyncio.Event:
        """Take this BEFORE reading the job, then wait on it: no change can slip in between."""
        return self._events.setdefault(job_id, asyncio.Event())

    def notify(self, job_id: str) -> None:
        event = self._events.pop(job_id, None)
        if event is not None:
            event.set()


class JobRunner:
    """One job on this replica; the pipeline's JobContext."""

    def __init__(self, manager: JobManager, job: Job) -> None:
        self.manager = manager
        self.job = job
        # user (CancelJob) | shutdown (graceful stop) | lease_lost | abandon (a crash, in tests)
        self.stop_reason: str | None = None
        self.task: asyncio.Task[None] | None = None
        self._deadline = 0.0
        self._active: list[Stage] = []
        self._save_lock = asyncio.Lock()
        self._dirty = False
        self._saved_version = job.version
        self._flush: asyncio.Task[None] | None = None
        self._last_stage: Stage = job.stage

    # --- JobContext ----------------------------------------------------------------------------

    def budget(self, stage_timeout_s: float) -> float:
        remaining = self._deadline - time.monotonic()
        if remaining <= 0.05:
            raise DeadlineExceeded("the job ran out of time")
        return min(stage_timeout_s, remaining)

    def stage_started(self, stage: Stage, message: str) -> None:
        job = self.job
        # A stage resumed after a restart starts its timing again.
        job.timings = [t for t in job.timings if t.stage != stage.value] + [StageTiming(stage.value, now())]
        self._last_stage = stage
        if stage not in self._active:
            self._active.append(stage)
        job.stage = self._primary_stage(stage)
        if job.stage == stage:  # a stage starting beside the reported one does not take over its status line
            job.message = message

    def stage_finished(self, stage: Stage, message: str) -> None:
        job = self.job
        self._last_stage = stage
        timing = job.timing(stage.value)
        if timing is not None and timing.end_time is None:
            timing.end_time = now()
            STAGE_SECONDS.labels(stage.value).observe(timing.seconds)
            STAGE_COSTS.observe(job, stage, timing.seconds)
        if stage in self._active:
            self._active.remove(stage)
        job.stage = self._primary_stage(stage)
        job.message = message

    def _primary_stage(self, fallback: Stage) -> Stage:
        return min(self._active, key=STAGE_ORDER.index) if self._active else fallback

    def warn(self, code: str, message: str, stage: str) -> None:
        if self.job.add_warning(WarningRecord(code, public_message(message), stage)):
            JOB_WARNINGS.labels(stage, code).inc()
            log.info("job warning", extra={"stage": stage, "code": code, "warning": message})

    async def commit(self, *, persist: bool = True) -> None:
        job = self.job
        job.version += 1
        job.update_time = now()
        job.progress, job.stage_progress, job.eta_s = astuple(estimate_progress(job))
        record_event(job, job.eta_s)
        if persist:
            # Stored before watchers hear of it: what a watcher saw, GetJob/ListJobs on any replica see too.
            await self._save()
            self.manager.changes.notify(job.id)
        else:
            self.manager.changes.notify(job.id)
            self._dirty = True
            if self._flush is None or self._flush.done():
                self._flush = asyncio.create_task(self._flush_later())

    async def _save(self) -> None:
        async with self._save_lock:
            self._dirty = False
            version = self.job.version
            await self.manager.store.save(self.job, self.manager.config.owner)
            self._saved_version = max(self._saved_version, version)

    async def _save_unsaved(self) -> None:
        """On shutdown: a checkpoint made just before the stop must not be lost (it would be redone)."""
        if self.job.version <= self._saved_version:
            return
        try:
            await self.manager.store.save(self.job, self.manager.config.owner)
        except (LeaseLost, CinesynthError) as exc:
            log.warning("last changes not saved on shutdown", extra={"error": str(exc)})

    async def _flush_later(self) -> None:
        await asyncio.sleep(self.manager.config.progress_persist_interval_s)
        if self._dirty:
            try:
                await self._save()
            except LeaseLost:
                self.stop("lease_lost")
            except CinesynthError as exc:  # the store is down: the next save tries again
                log.warning("progress not saved", extra={"error": exc.message})
            except UnstorableJob as exc:  # the next checkpoint fails the stage with the fields named
                log.warning("progress not saved", extra={"error": str(exc)})

    # --- lifecycle -----------------------------------------------------------------------------

    def start(self) -> None:
        self.task = asyncio.create_task(self._main(), name=f"job-{self.job.id}")
        self.task.add_done_callback(_log_runner_crash)

    def stop(self, reason: str) -> None:
        if self.stop_reason is not None or self.task is None or self.task.done():
            return
        if reason == "user" and self.job.terminal:
            return  # finished already (delivering its webhook): nothing to cancel
        self.stop_reason = reason
        self.task.cancel()

    async def _main(self) -> None:
        job_id_var.set(self.job.id)
        JOBS_INFLIGHT.inc()
        release = True
        try:
            if not self.job.terminal:
                if self.job.cancel_requested:
                    await self._finish(JobState.CANCELLED, None, "cancelled before it ran")
                else:
                    await self._run()
            if self.job.terminal and self.job.webhook.state == "pending":
                await self._deliver_webhook()
        except LeaseLost:
            release = False
            log.warning("lease lost: another replica took the job over")
        except StoreUnavailable as exc:
            # Not the job's fault: it stays as stored and is picked up again once the store is back.
            release = False
            log.error("job store unavailable; the job will be resumed", extra={"error": exc.message})
        except asyncio.CancelledError:
            release = False  # shutdown: the manager releases all leases; lease lost: not ours
            if self.stop_reason == "shutdown":
                if self.job.state == JobState.RUNNING and self.job.runs > 0:
                    # A graceful stop is not the job's fault: it does not count against max_job_runs.
                    self.job.runs -= 1
                    self.job.version += 1
                await self._save_unsaved()
            elif self.stop_reason not in ("lease_lost", "abandon"):
                raise
        except Exception:
            # Never silent: logged with a correlation id; the lease is released, so the job runs again
            # (bounded by max_job_runs) or, when it is terminal, its webhook is retried.
            correlation_id = uuid.uuid4().hex[:16]
            log.exception("job runner crashed", extra={"correlation_id": correlation_id})
            self.job.last_interruption = f"internal error (correlation id {correlation_id})"
            try:  # best effort: the next run's limit check says why the runs ended
                await self.manager.store.save(self.job, self.manager.config.owner)
            except Exception as exc:
                log.warning("interruption not recorded", extra={"error": str(exc)[:200]})
        finally:
            if self._flush is not None:
                self._flush.cancel()
            JOBS_INFLIGHT.dec()
            self.manager._runner_done(self, release=release)

    async def _run(self) -> None:
        job = self.job
        limit = self.manager.config.max_job_runs
        if job.runs >= limit:
            reason = job.last_interruption or "each run was interrupted before it finished"
            message = f"the job was started {job.runs} times and never finished (limit {limit}); last: {reason}"
            await self._finish(JobState.FAILED, ErrorInfo("INTERNAL", message))
            return
        resumed = job.state == JobState.RUNNING
        job.state = JobState.RUNNING
        job.runs += 1
        job.start_time = job.start_time or now()
        job.message = f"resumed at stage {job.stage.value}" if resumed else "started"
        if resumed:
            JOBS_RESUMED.inc()
            # The client sees that its job was interrupted and picked up again (a lost replica, a rollout).
            why = job.last_interruption or "the gateway replica running it stopped or was lost"
            self.warn(
                "job_resumed",
                f"resumed at stage {job.stage.value} from its checkpoints after its previous run stopped ({why})",
                job.stage.value,
            )
        JOBS_TOTAL.labels(JobState.RUNNING.value).inc()
        self._deadline = time.monotonic() + self.manager.config.job_timeout_s
        log.info("job running", extra={"resumed": resumed, "run": job.runs})
        try:
            await self.commit()
            async with asyncio.timeout(self.manager.config.job_timeout_s):
                await self.manager.pipeline.run(self)
        except UnstorableJob as exc:
            # A result slipped past the stage checks with a NaN/infinity: fail with what and where,
            # saving a copy without those numbers (the original can never be stored).
            stage = self._stage_of(exc.paths)
            self._make_storable()
            message = (
                f"{stage}: the stage result cannot be stored: {describe(exc.paths)} "
                "is not a finite number (NaN or infinity)"
            )
            await self._finish(JobState.FAILED, ErrorInfo("INTERNAL", message))
        except StageFailed as failed:
            error = failed.error
            await self._finish(JobState.FAILED, ErrorInfo(error.code.name, f"{failed.stage.value}: {error.message}"))
        except TimeoutError:
            message = f"the job ran longer than {self.manager.config.job_timeout_s:g} s"
            await self._finish(JobState.FAILED, ErrorInfo("DEADLINE_EXCEEDED", message))
        except asyncio.CancelledError:
            if self.stop_reason != "user":
                raise
            task = asyncio.current_task()
            if task is not None:
                task.uncancel()
            await self._finish(JobState.CANCELLED, None, "cancelled")
        except (LeaseLost, StoreUnavailable):
            raise
        except CinesynthError as exc:
            await self._finish(JobState.FAILED, ErrorInfo(exc.code.name, exc.message))
        except Exception:
            correlation_id = uuid.uuid4().hex[:16]
            log.exception("job failed unexpectedly", extra={"correlation_id": correlation_id})
            message = f"internal error (correlation id {correlation_id})"
            await self._finish(JobState.FAILED, ErrorInfo("INTERNAL", message))
        else:
            await self._finish(JobState.SUCCEEDED, None, "done")

    def _stage_of(self, paths: list[str]) -> str:
        """The stage whose checkpoint holds the first bad path (the last one reported otherwise)."""
        top = paths[0].split(".", 1)[0].split("[", 1)[0] if paths else ""
        stage = _CHECKPOINT_STAGES.get(top) or self._last_stage
        return stage.value

    def _make_storable(self) -> None:
        job = from_document(without_non_finite(to_document(self.job)), cancel_requested=self.job.cancel_requested)
        self.job = job

    async def _finish(self, state: JobState, error: ErrorInfo | None, message: str = "") -> None:
        job = self.job
        if error is not None:
            if error.message != public_message(error.message):
                log.info("job error as reported downstream", extra={"error": error.message})
            error = ErrorInfo(error.code, public_message(error.message))
        job.state = state
        job.error = error
        job.end_time = now()
        for timing in job.timings:
            if timing.end_time is None:
                timing.end_time = job.end_time
        self._active.clear()
        if state == JobState.SUCCEEDED:
            job.stage = Stage.DONE
        job.message = message or (error.message if error else state.value)
        if job.callback_url:
            job.webhook.state = "pending"
        JOBS_TOTAL.labels(state.value).inc()
        try:
            await self.commit()
        except UnstorableJob:
            # The failure must be recorded even when the job holds what cannot be stored.
            self._make_storable()
            await self.commit()
        log.info("job finished", extra={"state": state.value, "error_code": error.code if error else ""})

    async def _deliver_webhook(self) -> None:
        manager, job = self.manager, self.job
        if manager.webhooks is None:
            return
        body = manager.render_job(job)
        result = await manager.webhooks.deliver(job.callback_url, body, f"job.{job.state.value}")
        job.webhook.state = "delivered" if result.delivered else "failed"
        job.webhook.attempts += result.attempts
        job.webhook.last_error = result.error
        if not result.delivered:
            self.warn("webhook_failed", f"callback not delivered: {result.error}", "done")
        await self.commit()


def _log_runner_crash(task: asyncio.Task[None]) -> None:
    """Retrieve a runner task's exception (no "Task exception was never retrieved"), and log it."""
    if task.cancelled():
        return
    error = task.exception()
    if error is not None:
        log.error("job runner ended with an error", exc_info=error)


class JobManager:
    def __init__(
        self,
        store: JobStore,
        pipeline: Pipeline,
        config: ManagerConfig,
        *,
        webhooks: WebhookSender | None = None,
        render_job: Callable[[Job], bytes] = lambda job: b"{}",
    ) -> None:
        self.store = store
        self.pipeline = pipeline
        self.config = config
        self.webhooks = webhooks
        self.render_job = render_job
        self.changes = Changes()
        self.runners: dict[str, JobRunner] = {}
        self._wake = asyncio.Event()
        self._loop_task: asyncio.Task[None] | None = None
        self._stopping = False

    async def start(self) -> None:
        self._stopping = False
        self._loop_task = asyncio.create_task(self._loop(), name="job-manager")

    async def stop(self, *, release: bool = True) -> None:
        """Interrupt the running jobs (they stay RUNNING) and give their leases back.

        `release=False` behaves like a crash: nothing more is written and the leases are left to
        expire (tests use it to play a dead replica).
        """
        self._stopping = True
        if self._loop_task is not None:
            self._loop_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._loop_task
        runners = list(self.runners.values())
        for runner in runners:
            runner.stop("shutdown" if release else "abandon")
        await asyncio.gather(*(r.task for r in runners if r.task is not None), return_exceptions=True)
        if release:
            try:
                await self.store.release(self.config.owner)
            except CinesynthError as exc:
                log.warning("leases not released", extra={"error": exc.message})

    def wake(self) -> None:
        self._wake.set()

    def live(self, job_id: str) -> Job | None:
        """A copy of the job as this replica is running it right now (None when it is not)."""
        runner = self.runners.get(job_id)
        return runner.job.copy() if runner is not None else None

    def is_local(self, job_id: str) -> bool:
        return job_id in self.runners

    def cancel_local(self, job_id: str) -> bool:
        runner = self.runners.get(job_id)
        if runner is None:
            return False
        runner.stop("user")
        return True

    async def take_over(self, job_id: str) -> bool:
        """Claim one job now (to cancel a queued job nobody runs); False when another replica holds it."""
        if job_id in self.runners or self._stopping:
            return job_id in self.runners
        jobs = await self.store.claim(
            self.config.owner, self.config.lease_s, 1, job_id=job_id, exclude=list(self.runners)
        )
        for job in jobs:
            self._start_runner(job)
        return bool(jobs)

    def _start_runner(self, job: Job) -> None:
        runner = JobRunner(self, job)
        self.runners[job.id] = runner
        runner.start()

    def _runner_done(self, runner: JobRunner, *, release: bool) -> None:
        self.runners.pop(runner.job.id, None)
        self.changes.notify(runner.job.id)
        if release and not self._stopping:
            task = asyncio.create_task(self._release(runner.job.id))
            task.add_done_callback(lambda t: t.exception() if not t.cancelled() else None)
        self.wake()

    async def _release(self, job_id: str) -> None:
        try:
            await self.store.release(self.config.owner, [job_id])
        except CinesynthError as exc:
            log.warning("lease not released", extra={"error": exc.message})

    async def _renew(self) -> None:
        ids = list(self.runners)
        held = await self.store.renew(self.config.owner, ids, self.config.lease_s)
        for job_id in ids:
            runner = self.runners.get(job_id)
            if runner is None:
                continue
            if job_id not in held:
                log.warning("lease lost", extra={"job": job_id})
                runner.stop("lease_lost")
            elif held[job_id]:
                runner.job.cancel_requested = True
                runner.stop("user")

    async def _loop(self) -> None:
        renew_every = self.config.lease_s / 3
        last_renew = time.monotonic()
        while True:
            self._wake.clear()
            try:
                if self.runners and time.monotonic() - last_renew >= renew_every:
                    await self._renew()
                    last_renew = time.monotonic()
                free = self.config.max_running_jobs - len(self.runners)
                if free > 0:
                    jobs = await self.store.claim(
                        self.config.owner, self.config.lease_s, free, exclude=list(self.runners)
                    )
                    if jobs and not self.runners:
                        last_renew = time.monotonic()
                    for job in jobs:
                        self._start_runner(job)
            except CinesynthError as exc:
                log.warning("job store unavailable", extra={"error": exc.message})
            except Exception:
                log.exception("claim loop error")
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(min(self.config.claim_interval_s, renew_every)):
                    await self._wake.wait()
