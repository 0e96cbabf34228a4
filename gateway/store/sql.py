"""The job store in SQL shared by SQLite and PostgreSQL.

Each operation is one short transaction written as a synchronous function of a cursor-like `Tx`,
run in a worker thread (`asyncio.to_thread`): the stdlib sqlite3 module and psycopg's synchronous
connections both fit, and the event loop never blocks on the database. SQL uses `?` placeholders;
the PostgreSQL `Tx` rewrites them.
"""

from __future__ import annotations

import asyncio
import json
import time
from abc import abstractmethod
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol, TypeVar

from gateway.finite import non_finite_paths
from gateway.model import ACTIVE_STATES, Job, JobState, WarningRecord, from_document, to_document
from gateway.store.base import JobPage, JobStore, LeaseLost, TenantLimitReached, UnstorableJob
from gateway.store.migrations import MIGRATIONS, MIGRATIONS_TABLE

T = TypeVar("T")

_JOB_COLUMNS = "doc, cancel_requested"
_ACTIVE_STATE_VALUES = tuple(sorted(s.value for s in ACTIVE_STATES))


class Tx(Protocol):
    rowcount: int

    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]: ...


def now_us() -> int:
    return int(time.time() * 1_000_000)


def to_us(seconds: float) -> int:
    return int(seconds * 1_000_000)


def _dump(job: Job) -> str:
    document = to_document(job)
    try:
        return json.dumps(document, separators=(",", ":"), allow_nan=False)
    except ValueError:
        raise UnstorableJob(non_finite_paths(document)) from None


def _load(row: tuple[Any, ...]) -> Job:
    doc, cancel_requested = row[0], row[1]
    return from_document(json.loads(doc), cancel_requested=bool(cancel_requested))


def _placeholders(n: int) -> str:
    return ", ".join("?" * n)


class SqlJobStore(JobStore):
    dialect: str = "sql"

    # --- connection handling, per dialect ------------------------------------------------------

    @abstractmethod
    def _transaction(self, fn: Callable[[Tx], T], *, write: bool) -> T:
        """Run `fn` in one transaction (committed when it returns, rolled back when it raises)."""

    def _lock_for_migrations(self, tx: Tx) -> None:
        """Keep concurrent replicas from migrating at the same time (the transaction already may)."""

    def _lock_tenant(self, tx: Tx, tenant: str) -> None:
        """Serialise creates of one tenant (limit check + insert)."""

    _claim_suffix = ""  # PostgreSQL: FOR UPDATE SKIP LOCKED

    async def _run(self, fn: Callable[[Tx], T], *, write: bool = True) -> T:
        return await asyncio.to_thread(self._transaction, fn, write=write)

    # --- schema --------------------------------------------------------------------------------

    def _migrate(self, tx: Tx) -> list[int]:
        self._lock_for_migrations(tx)
        tx.execute(MIGRATIONS_TABLE)
        applied = {row[0] for row in tx.execute("SELECT version FROM schema_migrations")}
        done: list[int] = []
        for migration in MIGRATIONS:
            if migration.version in applied:
                continue
            for statement in migration.for_dialect(self.dialect):
                tx.execute(statement)
            tx.execute(
                "INSERT INTO schema_migrations (version, name, applied_us) VALUES (?, ?, ?)",
                (migration.version, migration.name, now_us()),
            )
            done.append(migration.version)
        return done

    async def migrate(self) -> list[int]:
        """Apply pending migrations; returns the versions applied now."""
        return await self._run(self._migrate)

    async def schema_version(self) -> int:
        rows = await self._run(
            lambda tx: tx.execute("SELECT COALESCE(MAX(version), 0) FROM schema_migrations"), write=False
        )
        return int(rows[0][0])

    # --- jobs ----------------------------------------------------------------------------------

    async def create(self, job: Job, *, max_active: int | None = None) -> tuple[Job, bool]:
        # Serialised here, on the caller's thread: the job must not change while a worker thread reads it.
        doc = _dump(job)
        row = (
            job.id, job.tenant, job.request_id, job.state.value, int(job.needs_work),
            to_us(job.create_time), to_us(job.update_time), job.version, doc,
        )
        labels = dict(job.labels)

        def fn(tx: Tx) -> tuple[Job, bool]:
            self._lock_tenant(tx, job.tenant)
            if job.request_id:
                rows = tx.execute(
                    f"SELECT {_JOB_COLUMNS} FROM jobs WHERE tenant = ? AND request_id = ?",
                    (job.tenant, job.request_id),
                )
                if rows:
                    return _load(rows[0]), False
            if max_active is not None:
                active = self._count_active(tx, job.tenant)
                if active >= max_active:
                    raise TenantLimitReached(active, max_active)
            tx.execute(
                "INSERT INTO jobs (id, tenant, request_id, state, active, create_us, update_us, version, doc)"
                f" VALUES ({_placeholders(9)})",
                row,
            )
            for key, value in labels.items():
                tx.execute("INSERT INTO job_labels (job_id, key, value) VALUES (?, ?, ?)", (job.id, key, value))
            return job, True

        return await self._run(fn)

    async def get(self, job_id: str, tenant: str | None = None) -> Job | None:
        sql = f"SELECT {_JOB_COLUMNS} FROM jobs WHERE id = ?"
        params: list[Any] = [job_id]
        if tenant is not None:
            sql += " AND tenant = ?"
            params.append(tenant)
        rows = await self._run(lambda tx: tx.execute(sql, params), write=False)
        return _load(rows[0]) if rows else None

    async def list(
        self,
        tenant: str,
        *,
        state: JobState | None = None,
        labels: Mapping[str, str] | None = None,
        page_size: int = 20,
        after: tuple[int, str] | None = None,
    ) -> JobPage:
        sql = f"SELECT {_JOB_COLUMNS}, create_us, id FROM jobs WHERE tenant = ?"
        params: list[Any] = [tenant]
        if state is not None:
            sql += " AND state = ?"
            params.append(state.value)
        for key, value in sorted((labels or {}).items()):
            sql += " AND EXISTS (SELECT 1 FROM job_labels l WHERE l.job_id = jobs.id AND l.key = ? AND l.value = ?)"
            params += [key, value]
        if after is not None:
            sql += " AND (create_us < ? OR (create_us = ? AND id < ?))"
            params += [after[0], after[0], after[1]]
        sql += " ORDER BY create_us DESC, id DESC LIMIT ?"
        params.append(page_size + 1)
        rows = await self._run(lambda tx: tx.execute(sql, params), write=False)
        more = len(rows) > page_size
        rows = rows[:page_size]
        cursor = (int(rows[-1][2]), str(rows[-1][3])) if more and rows else None
        return JobPage([_load(row) for row in rows], cursor)

    async def save(self, job: Job, owner: str) -> None:
        params = (
            job.state.value, int(job.needs_work), to_us(job.update_time), job.version, _dump(job), job.id, owner
        )

        def fn(tx: Tx) -> None:
            tx.execute(
                "UPDATE jobs SET state = ?, active = ?, update_us = ?, version = ?, doc = ?"
                " WHERE id = ? AND lease_owner = ?",
                params,
            )
            if tx.rowcount != 1:
                raise LeaseLost(params[5])

        await self._run(fn)

    async def claim(
        self, owner: str, lease_s: float, limit: int, job_id: str | None = None, exclude: Sequence[str] = ()
    ) -> list[Job]:
        exclude = list(exclude)

        def fn(tx: Tx) -> list[Job]:
            now = now_us()
            sql = (
                "SELECT id FROM jobs WHERE active = 1"
                " AND (lease_owner IS NULL OR lease_expires_us < ? OR lease_owner = ?)"
            )
            params: list[Any] = [now, owner]
            if job_id is not None:
                sql += " AND id = ?"
                params.append(job_id)
            if exclude:
                sql += f" AND id NOT IN ({_placeholders(len(exclude))})"
                params += exclude
            sql += " ORDER BY create_us, id LIMIT ?" + self._claim_suffix
            params.append(limit)
            ids = [row[0] for row in tx.execute(sql, params)]
            if not ids:
                return []
            tx.execute(
                f"UPDATE jobs SET lease_owner = ?, lease_expires_us = ? WHERE id IN ({_placeholders(len(ids))})",
                (owner, now + to_us(lease_s), *ids),
            )
            rows = tx.execute(
                f"SELECT {_JOB_COLUMNS} FROM jobs WHERE id IN ({_placeholders(len(ids))}) ORDER BY create_us, id",
                ids,
            )
            return [_load(row) for row in rows]

        return await self._run(fn)

    async def renew(self, owner: str, job_ids: list[str], lease_s: float) -> dict[str, bool]:
        if not job_ids:
            return {}

        def fn(tx: Tx) -> dict[str, bool]:
            marks = _placeholders(len(job_ids))
            tx.execute(
                f"UPDATE jobs SET lease_expires_us = ? WHERE lease_owner = ? AND id IN ({marks})",
                (now_us() + to_us(lease_s), owner, *job_ids),
            )
            rows = tx.execute(
                f"SELECT id, cancel_requested FROM jobs WHERE lease_owner = ? AND id IN ({marks})", (owner, *job_ids)
            )
            return {row[0]: bool(row[1]) for row in rows}

        return await self._run(fn)

    async def release(self, owner: str, job_ids: list[str] | None = None) -> None:
        def fn(tx: Tx) -> None:
            sql = "UPDATE jobs SET lease_owner = NULL, lease_expires_us = NULL WHERE lease_owner = ?"
            params: list[Any] = [owner]
            if job_ids is not None:
                if not job_ids:
                    return
                sql += f" AND id IN ({_placeholders(len(job_ids))})"
                params += job_ids
            tx.execute(sql, params)

        await self._run(fn)

    async def request_cancel(self, job_id: str) -> None:
        await self._run(lambda tx: tx.execute("UPDATE jobs SET cancel_requested = 1 WHERE id = ?", (job_id,)))

    @staticmethod
    def _count_active(tx: Tx, tenant: str) -> int:
        rows = tx.execute(
            f"SELECT COUNT(*) FROM jobs WHERE tenant = ? AND state IN ({_placeholders(len(_ACTIVE_STATE_VALUES))})",
            (tenant, *_ACTIVE_STATE_VALUES),
        )
        return int(rows[0][0])

    async def count_active(self, tenant: str) -> int:
        return await self._run(lambda tx: self._count_active(tx, tenant), write=False)

    async def expired_jobs(
        self, before: float, *, tenants: Sequence[str] = (), other_tenants_than: Sequence[str] = (), limit: int = 100
    ) -> list[Job]:
        sql = f"SELECT {_JOB_COLUMNS} FROM jobs WHERE active = 0 AND artifacts_expired = 0 AND update_us < ?"
        params: list[Any] = [to_us(before)]
        if tenants:
            sql += f" AND tenant IN ({_placeholders(len(tenants))})"
            params += list(tenants)
        elif other_tenants_than:
            sql += f" AND tenant NOT IN ({_placeholders(len(other_tenants_than))})"
            params += list(other_tenants_than)
        sql += " ORDER BY update_us, id LIMIT ?"
        params.append(limit)
        rows = await self._run(lambda tx: tx.execute(sql, params), write=False)
        return [_load(row) for row in rows]

    async def mark_artifacts_expired(self, job_id: str, warning: WarningRecord) -> None:
        def fn(tx: Tx) -> None:
            rows = tx.execute(f"SELECT {_JOB_COLUMNS} FROM jobs WHERE id = ? AND active = 0", (job_id,))
            if not rows:
                return  # running again (or gone): nothing to mark
            job = _load(rows[0])
            job.artifacts = []
            job.add_warning(warning)
            job.version += 1
            tx.execute(
                "UPDATE jobs SET artifacts_expired = 1, version = ?, doc = ? WHERE id = ?",
                (job.version, _dump(job), job_id),
            )

        await self._run(fn)

    async def lease_of(self, job_id: str) -> tuple[str | None, int | None]:
        """(owner, expiry in µs) of a job's lease: for operators and tests."""
        rows = await self._run(
            lambda tx: tx.execute("SELECT lease_owner, lease_expires_us FROM jobs WHERE id = ?", (job_id,)), write=False
        )
        return (rows[0][0], rows[0][1]) if rows else (None, None)
