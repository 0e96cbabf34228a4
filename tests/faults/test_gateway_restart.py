"""The gateway killed (SIGKILL) mid-job and started again: the job resumes from its checkpoints and no
keyframe that was finished before the kill is rendered again, on two image workers and the PostgreSQL
job store. The SQLite store's case is in test_waiting.py (the gateway killed mid-keyframes and
mid-compose, on the module's stack)."""

from __future__ import annotations

import contextlib
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from tests.faults.support import TERMINAL, fault_stack, metric_sum, scrape, small_request, video
from tests.unit.gateway.pg import DSN, postgres_reachable

pytestmark = pytest.mark.faults

SCENES = 4


@contextlib.contextmanager
def postgres_job_store() -> Iterator[str]:
    """A schema of its own in the local PostgreSQL, dropped afterwards."""
    if not postgres_reachable():
        pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432")
    schema = f"faults_{uuid.uuid4().hex[:12]}"
    try:
        yield f"{DSN}?schema={schema}"
    finally:
        with psycopg.connect(DSN, autocommit=True) as connection:
            connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def test_gateway_killed_mid_job_resumes_without_rendering_finished_keyframes(tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    with postgres_job_store() as url:
        env = {
            "CINESYNTH_JOB_STORE": url,
            # Long enough that the kill lands between two keyframes however slowly the store writes.
            "CINESYNTH_IMAGEGEN_SIMULATED_SECONDS": "2.0",
            "CINESYNTH_KEYFRAME_CONCURRENCY": "2",
        }
        with fault_stack(run_dir, env, imagegen_replicas=2) as s:
            job = s.create(small_request(scenes=SCENES))
            # Kill once a keyframe is checkpointed in the store (what a restart resumes from), not merely
            # reported on the job: under load the store write lags the progress the job shows.
            deadline = time.monotonic() + 120
            while not 1 <= len(s.stored_job(job.id).keyframes) < SCENES:
                assert time.monotonic() < deadline, "no keyframe checkpointed in time"
                assert s.get(job.name).state not in TERMINAL, "the job ended before the kill"
                time.sleep(0.02)
            s.kill("gateway")

            # The workers see their streams cancelled; once idle, count what they rendered so far.
            s.wait_workers_idle()
            rendered_before = sum(s.renders().values())
            checkpoint = s.stored_job(job.id)
            finished = {key: record.artifact for key, record in checkpoint.keyframes.items()}
            assert 1 <= len(finished) < SCENES, "the kill must land between two keyframes"
            mtimes = s.keyframe_files(job.id)
            assert set(finished) <= set(mtimes)

            s.restart("gateway")
            done = s.wait_terminal(job.name, 90)
            assert done.state == video.JOB_STATE_SUCCEEDED, (done.error.message, s.log_tail("gateway"))
            assert done.keyframes_done == SCENES

            # Only the keyframes missing at the kill were rendered after the restart...
            rendered_after = sum(s.renders().values()) - rendered_before
            assert rendered_after == SCENES - len(finished), (rendered_after, sorted(finished))
            # ...and the finished ones are exactly the files that were there: same bytes, never rewritten.
            by_name = {a.name: a for a in done.artifacts}
            for key, artifact in finished.items():
                reported = by_name[f"keyframes/{key}.png"]
                # A client sees the artifact by its public name, never the store's URI.
                assert reported.uri == f"{done.name}/artifacts/keyframes/{key}.png"
                assert reported.sha256 == artifact.sha256
                assert s.keyframe_files(job.id)[key] == mtimes[key]
            gateway = scrape(s.config.host, s.config.metrics_port("gateway"))
            assert metric_sum(gateway, "cinesynth_jobs_resumed_total") == 1
            assert [w.stage for w in done.warnings if w.code == "job_resumed"] == ["keyframes"]
            assert s.download(done.name, "video.mp4")[4:8] == b"ftyp"
