"""PostgreSQL job store: several gateway replicas share it; leases decide who runs which job.

Synchronous psycopg 3 connections in a small pool, used from worker threads. `?schema=NAME` in the
URL keeps the tables in their own schema (created when missing), e.g. one per test run.
"""

from __future__ import annotations

import queue
import re
import threading
from collections.abc import Callable, Sequence
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlencode, urlparse, urlunparse

import psycopg
from psycopg import sql as pgsql

from gateway.store.base import StoreUnavailable
from gateway.store.sql import SqlJobStore, Tx

T = TypeVar("T")

_SCHEMA = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
# pg_advisory_xact_lock(class, object) key spaces of this store.
_MIGRATION_LOCK = (7300, 1)
_TENANT_LOCK_CLASS = 7301


class _PostgresTx:
    def __init__(self, connection: psycopg.Connection[Any]) -> None:
        self._connection = connection
        self.rowcount = 0

    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        cursor = self._connection.execute(sql.replace("?", "%s"), tuple(params))  # type: ignore[arg-type]
        self.rowcount = cursor.rowcount
        return cursor.fetchall() if cursor.description is not None else []


def _redact(url: str) -> str:
    parsed = urlparse(url)
    if parsed.password:
        netloc = parsed.netloc.replace(f":{parsed.password}@", ":***@")
        return urlunparse(parsed._replace(netloc=netloc))
    return url


class PostgresJobStore(SqlJobStore):
    dialect = "postgresql"
    _claim_suffix = " FOR UPDATE SKIP LOCKED"

    def __init__(self, conninfo: str, *, schema: str | None = None, pool_size: int = 4) -> None:
        if schema is not None and not _SCHEMA.match(schema):
            raise ValueError(f"invalid schema name {schema!r}")
        self.conninfo = conninfo
        self.schema = schema
        self.pool_size = pool_size
        self.url_for_logs = _redact(conninfo) + (f" (schema {schema})" if schema else "")
        self._idle: queue.LifoQueue[psycopg.Connection[Any]] = queue.LifoQueue()
        self._slots = threading.BoundedSemaphore(pool_size)
        self._closed = False

    @classmethod
    def from_url(cls, url: str) -> PostgresJobStore:
        parsed = urlparse(url)
        query = parse_qsl(parsed.query, keep_blank_values=True)
        schema = next((v for k, v in query if k == "schema"), None)
        rest = [(k, v) for k, v in query if k not in ("schema", "pool_size")]
        pool_size = int(next((v for k, v in query if k == "pool_size"), 4))
        conninfo = urlunparse(parsed._replace(scheme="postgresql", query=urlencode(rest)))
        return cls(conninfo, schema=schema or None, pool_size=pool_size)

    def _connect(self) -> psycopg.Connection[Any]:
        try:
            connection = psycopg.connect(self.conninfo, autocommit=True, connect_timeout=10)
        except psycopg.OperationalError as exc:
            raise StoreUnavailable(f"job store unreachable ({self.url_for_logs})") from exc
        if self.schema:
            connection.execute(pgsql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(pgsql.Identifier(self.schema)))
            connection.execute(pgsql.SQL("SET search_path TO {}").format(pgsql.Identifier(self.schema)))
        return connection

    async def open(self) -> None:
        self._closed = False
        await self.migrate()

    async def close(self) -> None:
        self._closed = True
        while True:
            try:
                self._idle.get_nowait().close()
            except queue.Empty:
                break

    def _lock_for_migrations(self, tx: Tx) -> None:
        tx.execute("SELECT pg_advisory_xact_lock(?, ?)", _MIGRATION_LOCK)

    def _lock_tenant(self, tx: Tx, tenant: str) -> None:
        tx.execute("SELECT pg_advisory_xact_lock(?, hashtext(?))", (_TENANT_LOCK_CLASS, tenant))

    def _transaction(self, fn: Callable[[Tx], T], *, write: bool) -> T:
        if self._closed:
            raise RuntimeError("job store is closed")
        with self._slots:
            try:
                connection = self._idle.get_nowait()
            except queue.Empty:
                connection = self._connect()
            healthy = True
            try:
                with connection.transaction():
                    return fn(_PostgresTx(connection))
            except (psycopg.OperationalError, psycopg.InterfaceError) as exc:
                healthy = False
                raise StoreUnavailable(f"job store error ({self.url_for_logs})") from exc
            finally:
                if healthy and not connection.closed and not self._closed:
                    self._idle.put(connection)
                else:
                    connection.close()

    def drop_schema(self) -> None:
        """Drop this store's schema and everything in it (tests use one schema per run)."""
        if not self.schema:
            raise RuntimeError("no schema to drop")
        with psycopg.connect(self.conninfo, autocommit=True, connect_timeout=10) as connection:
            connection.execute(pgsql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(pgsql.Identifier(self.schema)))
