"""Versioned schema migrations of the job store, applied in order and recorded in `schema_migrations`.

Add a migration by appending to MIGRATIONS (never edit an applied one). Statements are written in
the SQL both SQLite and PostgreSQL accept; `dialect_statements` may override one for a dialect.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    statements: tuple[str, ...]
    dialect_statements: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def for_dialect(self, dialect: str) -> tuple[str, ...]:
        return self.dialect_statements.get(dialect, self.statements)


MIGRATIONS_TABLE = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_us BIGINT NOT NULL
)
"""

MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "jobs and labels",
        (
            """
            CREATE TABLE jobs (
                id TEXT PRIMARY KEY,
                tenant TEXT NOT NULL,
                request_id TEXT NOT NULL DEFAULT '',
                state TEXT NOT NULL,
                -- 1 while a runner has work on it: queued, running, or its webhook pending.
                active INTEGER NOT NULL,
                create_us BIGINT NOT NULL,
                update_us BIGINT NOT NULL,
                lease_owner TEXT,
                lease_expires_us BIGINT,
                cancel_requested INTEGER NOT NULL DEFAULT 0,
                version BIGINT NOT NULL,
                doc TEXT NOT NULL
            )
            """,
            "CREATE UNIQUE INDEX jobs_tenant_request ON jobs (tenant, request_id) WHERE request_id <> ''",
            "CREATE INDEX jobs_tenant_created ON jobs (tenant, create_us DESC, id DESC)",
            "CREATE INDEX jobs_active ON jobs (active, create_us)",
            """
            CREATE TABLE job_labels (
                job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
                key TEXT NOT NULL,
                value TEXT NOT NULL,
                PRIMARY KEY (job_id, key)
            )
            """,
            "CREATE INDEX job_labels_key_value ON job_labels (key, value)",
        ),
    ),
    Migration(
        2,
        "tenant state index",
        ("CREATE INDEX jobs_tenant_state ON jobs (tenant, state)",),
    ),
    Migration(
        3,
        "artifact retention",
        (
            "ALTER TABLE jobs ADD COLUMN artifacts_expired INTEGER NOT NULL DEFAULT 0",
            "CREATE INDEX jobs_retention ON jobs (active, artifacts_expired, update_us)",
        ),
    ),
)

LATEST_VERSION = MIGRATIONS[-1].version
