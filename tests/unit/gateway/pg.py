"""PostgreSQL for the store tests: 127.0.0.1:5432, database `test`, a fresh schema per use."""

from __future__ import annotations

import functools

import psycopg

DSN = "postgresql://postgres@127.0.0.1:5432/test"


@functools.cache
def postgres_reachable() -> bool:
    try:
        with psycopg.connect(DSN, connect_timeout=2) as connection:
            connection.execute("SELECT 1")
    except psycopg.Error:
        return False
    return True
