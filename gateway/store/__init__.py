"""Job persistence: one interface, SQLite (embedded default) and PostgreSQL (several replicas)."""

from __future__ import annotations

from urllib.parse import urlparse

from gateway.store.base import JobPage, JobStore, LeaseLost, StoreUnavailable, TenantLimitReached, UnstorableJob
from gateway.store.sql import SqlJobStore

__all__ = [
    "JobPage", "JobStore", "LeaseLost", "SqlJobStore", "StoreUnavailable", "TenantLimitReached", "UnstorableJob",
    "open_job_store",
]


def open_job_store(url: str) -> JobStore:
    """`sqlite:///PATH` (relative: sqlite:///./run/jobs.db, absolute: sqlite:////var/lib/jobs.db),
    `sqlite://:memory:`, or `postgresql://USER@HOST:PORT/DB[?schema=NAME]`. Not connected yet: `await open()`."""
    scheme = urlparse(url).scheme
    if scheme == "sqlite":
        from gateway.store.sqlite import SqliteJobStore

        return SqliteJobStore.from_url(url)
    if scheme in ("postgresql", "postgres"):
        from gateway.store.postgres import PostgresJobStore

        return PostgresJobStore.from_url(url)
    raise ValueError(f"unsupported job store URL {url!r} (use sqlite:///PATH or postgresql://...)")
