"""The artifact store failing writes (an S3-compatible store, as in a cluster): the job FAILS with the
reason, and every artifact it reports is really there (downloaded through the gateway, hash checked)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import pytest

from services.common import pb
from tests.faults.s3 import CREDENTIALS, FaultyS3, faulty_s3
from tests.faults.support import FaultStack, fault_stack, small_request, video

pytestmark = pytest.mark.faults

common = pb.common_pb2
BUCKET = "cinesynth-faults"


@pytest.fixture(scope="module")
def s3() -> Iterator[FaultyS3]:
    with faulty_s3(BUCKET) as store:
        yield store


@pytest.fixture(scope="module")
def s3_stack(tmp_path_factory: pytest.TempPathFactory, s3: FaultyS3) -> Iterator[FaultStack]:
    env = {
        **CREDENTIALS,
        "CINESYNTH_ARTIFACT_STORE": f"s3://{BUCKET}/run",
        "CINESYNTH_S3_ENDPOINT_URL": s3.endpoint,
        "CINESYNTH_S3_REGION": CREDENTIALS["AWS_DEFAULT_REGION"],
        "CINESYNTH_IMAGEGEN_SIMULATED_SECONDS": "0.2",
    }
    with fault_stack(tmp_path_factory.mktemp("s3") / "run", env, imagegen_replicas=2) as s:
        yield s


def assert_reported_artifacts_exist(s: FaultStack, job: video.Job) -> None:
    """Nothing reported that is not there: every artifact downloads whole, with its recorded hash."""
    for artifact in job.artifacts:
        data = s.download(job.name, artifact.name)
        assert len(data) == artifact.size_bytes, artifact.name
        assert hashlib.sha256(data).hexdigest() == artifact.sha256, artifact.name


def _run_with_refused_writes(s: FaultStack, s3: FaultyS3, path_part: str, mode: str = "drop") -> video.Job:
    s3.fail_writes(path_part, mode)
    refused_before = len(s3.refused)
    try:
        job = s.wait_terminal(s.create(small_request()).name, 90)
    finally:
        s3.fail_writes(None)
    assert len(s3.refused) > refused_before, f"no write under {path_part} was attempted"
    assert job.state == video.JOB_STATE_FAILED, [a.name for a in job.artifacts]
    assert_reported_artifacts_exist(s, job)
    return job


def test_keyframe_writes_failing_fail_the_job_with_the_reason(s3_stack: FaultStack, s3: FaultyS3) -> None:
    job = _run_with_refused_writes(s3_stack, s3, "/keyframes/")
    assert job.error.code == 14, job.error  # UNAVAILABLE
    assert job.error.message.startswith("keyframes: artifact store write failed"), job.error.message
    assert not any(a.kind == common.ARTIFACT_KIND_KEYFRAME for a in job.artifacts)
    assert {a.name for a in job.artifacts} >= {"storyboard.json"}


def test_video_writes_failing_fail_the_job_after_one_retry(s3_stack: FaultStack, s3: FaultyS3) -> None:
    job = _run_with_refused_writes(s3_stack, s3, "/video/")
    assert job.error.code == 14, job.error
    message = job.error.message
    assert message.startswith("compose: the compositor failed (artifact store write failed"), message
    assert "gave up after 2 attempts" in message
    names = {a.name for a in job.artifacts}
    assert "video.mp4" not in names and "poster.jpg" not in names
    assert {"storyboard.json", "soundtrack.m4a", "keyframes/scene-00.png"} <= names


def test_writes_denied_by_the_store_fail_the_job_with_the_reason(s3_stack: FaultStack, s3: FaultyS3) -> None:
    job = _run_with_refused_writes(s3_stack, s3, "/audio/", mode="deny")
    assert job.error.message.startswith("soundtrack: artifact store write failed"), job.error.message


def test_the_store_back_the_next_job_succeeds(s3_stack: FaultStack) -> None:
    job = s3_stack.wait_terminal(s3_stack.create(small_request()).name, 90)
    assert job.state == video.JOB_STATE_SUCCEEDED, job.error.message
    assert "video.mp4" in {a.name for a in job.artifacts}
    assert_reported_artifacts_exist(s3_stack, job)
    assert set(s3_stack.serving().values()) == {"SERVING"}
