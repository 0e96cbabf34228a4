"""Retention on both job stores (SQLite, PostgreSQL with a fresh schema) and a real file:// store:
old unused uploads and finished jobs' artifacts past their tenant's retention are deleted, no empty
folders stay, the job record stays with a warning, and a second sweep finds nothing."""

from __future__ import annotations

import os
import time
import uuid
from pathlib import Path

from prometheus_client import REGISTRY

from gateway.model import ArtifactRecord, JobState, MusicSpec
from gateway.retention import RetentionConfig, RetentionSweeper, upload_prefix
from gateway.store import SqlJobStore
from services.common.artifacts import FileArtifactStore
from tests.unit.gateway.test_store import make_job, store  # noqa: F401  (the two-store fixture)

DAY = 86400.0
OWNER = "replica-r"


def deletions(kind: str) -> float:
    return REGISTRY.get_sample_value("cinesynth_retention_deletions_total", {"kind": kind}) or 0.0


def _age(root: Path, prefix: str, seconds: float, now: float) -> None:
    for path in (root / prefix).rglob("*"):
        os.utime(path, (now - seconds, now - seconds))


async def _finished_job(
    jobs: SqlJobStore, artifacts: FileArtifactStore, tenant: str, ended: float, upload: str = ""
):
    job = make_job(tenant=tenant, created=ended - 60)
    if upload:
        job.music = MusicSpec(upload_id=upload)
    await jobs.create(job)
    (claimed,) = await jobs.claim(OWNER, 30, 1, job_id=job.id)
    stored = artifacts.put_bytes(f"jobs/{job.id}/video/video.mp4", b"mp4")
    claimed.artifacts = [ArtifactRecord("video.mp4", stored.uri, "video/mp4", 3, stored.sha256, "video")]
    claimed.state = JobState.SUCCEEDED
    claimed.update_time = ended
    await jobs.save(claimed, OWNER)
    await jobs.release(OWNER, [job.id])
    return claimed


def _upload(artifacts: FileArtifactStore, tenant: str) -> str:
    upload_id = uuid.uuid4().hex
    artifacts.put_bytes(f"{upload_prefix(tenant, upload_id)}/song.wav", b"RIFF")
    artifacts.put_bytes(f"{upload_prefix(tenant, upload_id)}/upload.json", b"{}")
    return upload_id


async def test_sweep_deletes_expired_uploads_and_artifacts_per_tenant(store: SqlJobStore, tmp_path: Path) -> None:  # noqa: F811
    artifacts = FileArtifactStore(tmp_path / "artifacts")
    root = artifacts.root
    now = time.time()
    config = RetentionConfig(upload_ttl_s=DAY, artifact_retention_s=DAY, tenant_artifact_retention_s={"keep": 10 * DAY})
    sweeper = RetentionSweeper(artifacts, store, config)

    used = _upload(artifacts, "t1")  # used by a job that expires: goes with it
    unused_old = _upload(artifacts, "t1")  # nobody used it for two days
    fresh = _upload(artifacts, "t1")  # made an hour ago
    expiring = await _finished_job(store, artifacts, "t1", now - 2 * DAY, upload=used)
    await sweeper.record_upload_use(expiring)
    kept = await _finished_job(store, artifacts, "keep", now - 5 * DAY)  # tenant keeps 10 days
    young = await _finished_job(store, artifacts, "t1", now - 3600)
    for upload_id in (used, unused_old):
        _age(root, upload_prefix("t1", upload_id), 2 * DAY, now)
    _age(root, upload_prefix("t1", fresh), 3600, now)

    before = deletions("upload"), deletions("job_artifacts")
    result = await sweeper.sweep(now)

    assert (result.jobs_expired, result.uploads_deleted) == (1, 2)
    assert (deletions("upload") - before[0], deletions("job_artifacts") - before[1]) == (2, 1)
    assert not (root / "jobs" / expiring.id).exists(), "no empty folder left"
    assert (root / "jobs" / kept.id / "video" / "video.mp4").is_file()
    assert (root / "jobs" / young.id / "video" / "video.mp4").is_file()
    assert not (root / upload_prefix("t1", used)).exists() and not (root / upload_prefix("t1", unused_old)).exists()
    assert (root / upload_prefix("t1", fresh) / "song.wav").is_file()
    record = await store.get(expiring.id)
    assert record is not None and record.state == JobState.SUCCEEDED and not record.artifacts
    assert [w.code for w in record.warnings] == ["artifacts_expired"] and "1 days" in record.warnings[0].message
    assert (await store.get(kept.id)).artifacts  # type: ignore[union-attr]

    again = await sweeper.sweep(now)
    assert (again.jobs_expired, again.uploads_deleted) == (0, 0)


async def test_an_upload_in_use_is_kept_past_its_ttl(store: SqlJobStore, tmp_path: Path) -> None:  # noqa: F811
    artifacts = FileArtifactStore(tmp_path / "artifacts")
    now = time.time()
    sweeper = RetentionSweeper(artifacts, store, RetentionConfig(upload_ttl_s=DAY, artifact_retention_s=30 * DAY))
    upload_id = _upload(artifacts, "t1")
    job = await _finished_job(store, artifacts, "t1", now - 2 * DAY, upload=upload_id)
    await sweeper.record_upload_use(job)
    _age(artifacts.root, upload_prefix("t1", upload_id), 3 * DAY, now)
    assert (await sweeper.sweep(now)).uploads_deleted == 0
    assert (artifacts.root / upload_prefix("t1", upload_id) / "song.wav").is_file()


def test_deleting_the_last_object_of_a_folder_removes_the_folder(tmp_path: Path) -> None:
    artifacts = FileArtifactStore(tmp_path / "artifacts")
    one = artifacts.put_bytes("uploads/t/abc/song.wav", b"x")
    artifacts.put_bytes("uploads/t/def/song.wav", b"y")
    artifacts.delete(one.uri)
    assert not (artifacts.root / "uploads/t/abc").exists()
    assert (artifacts.root / "uploads/t/def/song.wav").is_file() and artifacts.root.is_dir()
    assert artifacts.list_keys("uploads") == [("uploads/t/def/song.wav", _mtime(artifacts))]


def _mtime(artifacts: FileArtifactStore) -> float:
    return (artifacts.root / "uploads/t/def/song.wav").stat().st_mtime
