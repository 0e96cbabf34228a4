"""SQLite job store: the embedded default for one node (stdlib sqlite3, WAL, one connection)."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from gateway.store.base import StoreUnavailable
from gateway.store.sql import SqlJobStore, Tx

T = TypeVar("T")


class _SqliteTx:
    def __init__(self, connection: sqlite3.Connection) -> None:
        self._connection = connection
        self.rowcount = 0

    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        cursor = self._connection.execute(sql, tuple(params))
        self.rowcount = cursor.rowcount
        return cursor.fetchall()


class SqliteJobStore(SqlJobStore):
    dialect = "sqlite"

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self.url_for_logs = f"sqlite:///{self.path}"
        self._connection: sqlite3.Connection | None = None
        # One connection, one writer at a time in this process; other processes wait on busy_timeout.
        self._lock = threading.Lock()

    @classmethod
    def from_url(cls, url: str) -> SqliteJobStore:
        if url in ("sqlite://", "sqlite://:memory:", "sqlite:///:memory:"):
            return cls(":memory:")
        if not url.startswith("sqlite:///"):
            raise ValueError(f"SQLite URL must look like sqlite:///PATH, got {url!r}")
        return cls(url[len("sqlite:///") :])

    def _connect(self) -> sqlite3.Connection:
        if self.path != ":memory:":
            Path(self.path).expanduser().parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(
            str(Path(self.path).expanduser()) if self.path != ":memory:" else self.path,
            timeout=10.0,
            isolation_level=None,  # explicit BEGIN/COMMIT below
            check_same_thread=False,  # used from worker threads, one at a time (self._lock)
        )
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        connection.execute("PRAGMA foreign_keys=ON")
        connection.execute("PRAGMA busy_timeout=10000")
        return connection

    async def open(self) -> None:
        if self._connection is None:
            self._connection = self._connect()
        await self.migrate()

    async def close(self) -> None:
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None

    def _transaction(self, fn: Callable[[Tx], T], *, write: bool) -> T:
        with self._lock:
            connection = self._connection
            if connection is None:
                raise RuntimeError("job store is not open")
            try:
                # IMMEDIATE takes the write lock up front: read-then-write sequences cannot interleave.
                connection.execute("BEGIN IMMEDIATE" if write else "BEGIN")
                try:
                    result = fn(_SqliteTx(connection))
                except BaseException:
                    connection.execute("ROLLBACK")
                    raise
                connection.execute("COMMIT")
            except sqlite3.OperationalError as exc:  # locked too long, disk full, file gone
                raise StoreUnavailable(f"job store error ({self.url_for_logs}): {exc}") from exc
            return result
