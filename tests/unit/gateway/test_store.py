"""One suite, both job stores: SQLite (a temp file) and PostgreSQL (a fresh schema on `test`, dropped after)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from gateway.model import ArtifactRecord, Job, JobState, KeyframeRecord, Stage, VideoSpec, new_job_id
from gateway.store import LeaseLost, SqlJobStore, TenantLimitReached, open_job_store
from gateway.store.migrations import LATEST_VERSION
from gateway.store.postgres import PostgresJobStore
from tests.unit.gateway.pg import DSN, postgres_reachable


@pytest.fixture(params=["sqlite", "postgresql"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[SqlJobStore]:
    if request.param == "sqlite":
        opened = open_job_store(f"sqlite:///{tmp_path / 'jobs.db'}")
    else:
        if not postgres_reachable():
            pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432")
        opened = open_job_store(f"{DSN}?schema=gw_store_{uuid.uuid4().hex[:12]}")
    assert isinstance(opened, SqlJobStore)
    await opened.open()
    try:
        yield opened
    finally:
        await opened.close()
        if isinstance(opened, PostgresJobStore):
            opened.drop_schema()


def make_job(tenant: str = "t1", request_id: str = "", created: float = 1000.0, **labels: str) -> Job:
    return Job(
        id=new_job_id(), tenant=tenant, request_id=request_id, request_hash="h", spec=VideoSpec(seed=3),
        source_kind="prompt", prompt="p", labels=dict(labels), create_time=created, update_time=created,
    )


async def test_migrations_are_versioned_and_applied_once(store: SqlJobStore) -> None:
    assert await store.schema_version() == LATEST_VERSION
    assert await store.migrate() == [], "a second start applies nothing"
    rows = await store._run(lambda tx: tx.execute("SELECT version, name FROM schema_migrations ORDER BY version"))
    assert [r[0] for r in rows] == list(range(1, LATEST_VERSION + 1)) and all(r[1] for r in rows)


async def test_create_get_roundtrip_and_tenant_scoping(store: SqlJobStore) -> None:
    job = make_job(team="x")
    job.keyframes["scene-00"] = KeyframeRecord(
        "scene-00", 0, ArtifactRecord("keyframes/scene-00.png", "file:///a.png", "image/png", 3, "ab", "keyframe"),
        "m", "draft", 3, 64, 64,
    )
    stored, created = await store.create(job)
    assert created and stored.id == job.id
    loaded = await store.get(job.id)
    assert loaded is not None and loaded.spec.seed == 3 and loaded.labels == {"team": "x"}
    assert loaded.keyframes["scene-00"].artifact.uri == "file:///a.png"
    assert loaded.state is JobState.QUEUED and loaded.stage is Stage.QUEUED
    assert await store.get(job.id, "t1") is not None
    assert await store.get(job.id, "t2") is None, "another tenant does not see it"
    assert await store.get(new_job_id()) is None


async def test_request_id_is_idempotent_per_tenant(store: SqlJobStore) -> None:
    first, created = await store.create(make_job(request_id="r-1"))
    again, created_again = await store.create(make_job(request_id="r-1"))
    other, created_other = await store.create(make_job(tenant="t2", request_id="r-1"))
    assert created and not created_again and again.id == first.id
    assert created_other and other.id != first.id
    # Without a request id every create is a new job.
    a, _ = await store.create(make_job())
    b, _ = await store.create(make_job())
    assert a.id != b.id


async def test_tenant_limit_counts_active_jobs_only(store: SqlJobStore) -> None:
    jobs = [make_job() for _ in range(2)]
    for job in jobs:
        await store.create(job, max_active=2)
    with pytest.raises(TenantLimitReached):
        await store.create(make_job(), max_active=2)
    await store.create(make_job(tenant="t2"), max_active=2)
    # Finish one: a slot frees up.
    [claimed] = await store.claim("owner", 30, 1, job_id=jobs[0].id)
    claimed.state = JobState.SUCCEEDED
    await store.save(claimed, "owner")
    assert await store.count_active("t1") == 1
    await store.create(make_job(), max_active=2)


async def test_concurrent_creates_respect_the_limit(store: SqlJobStore) -> None:
    results = await asyncio.gather(
        *(store.create(make_job(), max_active=3) for _ in range(6)), return_exceptions=True
    )
    assert sum(1 for r in results if isinstance(r, tuple)) == 3
    assert sum(1 for r in results if isinstance(r, TenantLimitReached)) == 3


async def test_list_is_newest_first_with_pages_and_filters(store: SqlJobStore) -> None:
    jobs = [make_job(created=1000.0 + i, team="x" if i % 2 else "y", n=str(i)) for i in range(5)]
    same_time = [make_job(created=2000.0) for _ in range(2)]
    for job in [*jobs, *same_time]:
        await store.create(job)
    await store.create(make_job(tenant="t2", created=3000.0))
    expected = [*sorted((j.id for j in same_time), reverse=True), *(j.id for j in reversed(jobs))]
    seen: list[str] = []
    cursor = None
    while True:
        page = await store.list("t1", page_size=3, after=cursor)
        seen += [j.id for j in page.jobs]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == expected
    team_x = await store.list("t1", labels={"team": "x"})
    assert [j.id for j in team_x.jobs] == [jobs[3].id, jobs[1].id] and team_x.next_cursor is None
    assert [j.id for j in (await store.list("t1", labels={"team": "x", "n": "1"})).jobs] == [jobs[1].id]
    assert not (await store.list("t1", labels={"team": "z"})).jobs
    [claimed] = await store.claim("o", 30, 1, job_id=jobs[0].id)
    claimed.state = JobState.FAILED
    await store.save(claimed, "o")
    assert [j.id for j in (await store.list("t1", state=JobState.FAILED)).jobs] == [jobs[0].id]
    assert len((await store.list("t1", state=JobState.QUEUED)).jobs) == 6


async def test_leases_decide_who_runs_a_job(store: SqlJobStore) -> None:
    old, new = make_job(created=1.0), make_job(created=2.0)
    await store.create(new)
    await store.create(old)
    claimed = await store.claim("a", 30, 5)
    assert [j.id for j in claimed] == [old.id, new.id], "oldest first"
    assert await store.claim("b", 30, 5) == [], "held by a"
    assert [j.id for j in await store.claim("a", 30, 5, exclude=[old.id])] == [new.id], "a restarted a resumes"

    job = claimed[0]
    job.state, job.version = JobState.RUNNING, job.version + 1
    await store.save(job, "a")
    with pytest.raises(LeaseLost):
        await store.save(job, "b")

    await store.request_cancel(new.id)
    assert await store.renew("a", [old.id, new.id], 30) == {old.id: False, new.id: True}
    assert (await store.get(new.id)).cancel_requested  # type: ignore[union-attr]

    # a stops renewing: after expiry b adopts, and a's writes are refused.
    await store.renew("a", [old.id], 0.05)
    await asyncio.sleep(0.1)
    adopted = await store.claim("b", 30, 5, job_id=old.id)
    assert [j.id for j in adopted] == [old.id] and adopted[0].state is JobState.RUNNING
    with pytest.raises(LeaseLost):
        await store.save(job, "a")
    assert await store.renew("a", [old.id], 30) == {}
    assert (await store.lease_of(old.id))[0] == "b"

    await store.release("b")
    assert (await store.lease_of(old.id)) == (None, None)
    assert [j.id for j in await store.claim("c", 30, 1, job_id=old.id)] == [old.id]


async def test_finished_jobs_are_claimable_only_while_their_webhook_is_pending(store: SqlJobStore) -> None:
    job = make_job()
    await store.create(job)
    [claimed] = await store.claim("a", 30, 1)
    claimed.state = JobState.SUCCEEDED
    claimed.webhook.state = "pending"
    await store.save(claimed, "a")
    await store.release("a")
    [again] = await store.claim("b", 30, 1)
    assert again.id == job.id and again.webhook.state == "pending"
    again.webhook.state = "delivered"
    await store.save(again, "b")
    await store.release("b")
    assert await store.claim("c", 30, 1) == []


def test_urls_select_the_store() -> None:
    sqlite = open_job_store("sqlite:///./run/x.db")
    assert sqlite.url_for_logs.endswith("./run/x.db")
    pg = open_job_store("postgresql://u:secret@db:5432/jobs?schema=gw&sslmode=disable")
    assert isinstance(pg, PostgresJobStore) and pg.schema == "gw"
    assert "secret" not in pg.url_for_logs and "sslmode=disable" in pg.conninfo and "schema" not in pg.conninfo
    with pytest.raises(ValueError):
        open_job_store("mysql://x")
    with pytest.raises(ValueError):
        PostgresJobStore(DSN, schema="bad; drop")
