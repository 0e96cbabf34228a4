"""The job store interface the gateway core depends on."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from gateway.model import Job, JobState, WarningRecord
from services.common.errors import Unavailable


class LeaseLost(Exception):
    """This replica no longer holds the job's lease (another one adopted it): stop working on it."""


class StoreUnavailable(Unavailable):
    """The database cannot be reached or answered with an error: retry later, never fail a job for it."""


class UnstorableJob(ValueError):
    """The job holds numbers strict JSON cannot carry (NaN, infinity): saving it can never succeed."""

    def __init__(self, paths: list[str]) -> None:
        super().__init__(f"not a finite number: {', '.join(paths[:5])}")
        self.paths = paths


class TenantLimitReached(Exception):
    def __init__(self, active: int, limit: int) -> None:
        super().__init__(f"{active} active jobs, limit {limit}")
        self.active = active
        self.limit = limit


@dataclass(frozen=True)
class JobPage:
    jobs: list[Job]
    # (create time in microseconds, id) of the last job when more may follow.
    next_cursor: tuple[int, str] | None


class JobStore(ABC):
    """Jobs by id, per tenant; leases so exactly one replica works on a job at a time.

    A job "needs work" while it is queued or running, or terminal with its webhook still pending.
    A replica `claim`s such jobs when they are unowned or their lease has expired (its owner died),
    `renew`s its leases while it works, `save`s under its lease (LeaseLost when adopted by another)
    and `release`s them when it stops, so the next start or another replica resumes them at once.
    """

    url_for_logs: str = ""

    @abstractmethod
    async def open(self) -> None:
        """Connect and apply pending schema migrations."""

    @abstractmethod
    async def close(self) -> None: ...

    @abstractmethod
    async def schema_version(self) -> int: ...

    @abstractmethod
    async def create(self, job: Job, *, max_active: int | None = None) -> tuple[Job, bool]:
        """Insert `job`; with a request_id already used by its tenant, return that job (created=False).

        TenantLimitReached when the tenant already has `max_active` queued or running jobs.
        """

    @abstractmethod
    async def get(self, job_id: str, tenant: str | None = None) -> Job | None:
        """The job, or None (also when it belongs to another tenant)."""

    @abstractmethod
    async def list(
        self,
        tenant: str,
        *,
        state: JobState | None = None,
        labels: Mapping[str, str] | None = None,
        page_size: int = 20,
        after: tuple[int, str] | None = None,
    ) -> JobPage:
        """The tenant's jobs, newest first, starting after the cursor."""

    @abstractmethod
    async def save(self, job: Job, owner: str) -> None:
        """Write the job's document; LeaseLost when `owner` does not hold its lease."""

    @abstractmethod
    async def claim(
        self, owner: str, lease_s: float, limit: int, job_id: str | None = None, exclude: Sequence[str] = ()
    ) -> list[Job]:
        """Lease up to `limit` jobs that need work and are unowned, expired, or already `owner`'s
        (a restart under the same replica id), except `exclude` (those it is running). With `job_id`,
        only that job. Oldest first."""

    @abstractmethod
    async def renew(self, owner: str, job_ids: list[str], lease_s: float) -> dict[str, bool]:
        """Extend the leases `owner` still holds: id -> cancel requested. Missing ids were lost."""

    @abstractmethod
    async def release(self, owner: str, job_ids: list[str] | None = None) -> None:
        """Give up leases (all of `owner`'s when `job_ids` is None)."""

    @abstractmethod
    async def request_cancel(self, job_id: str) -> None:
        """Flag the job for cancellation; its lease holder sees it on the next renew."""

    @abstractmethod
    async def count_active(self, tenant: str) -> int:
        """Queued and running jobs of the tenant."""

    @abstractmethod
    async def expired_jobs(
        self, before: float, *, tenants: Sequence[str] = (), other_tenants_than: Sequence[str] = (), limit: int = 100
    ) -> list[Job]:
        """Finished jobs (nothing left to do) last changed before `before` (unix s) whose artifacts are
        still kept; of `tenants` when given, else of every tenant but `other_tenants_than`. Oldest first."""

    @abstractmethod
    async def mark_artifacts_expired(self, job_id: str, warning: WarningRecord) -> None:
        """Record that the job's artifacts were deleted: none listed any more, `warning` on the job."""
