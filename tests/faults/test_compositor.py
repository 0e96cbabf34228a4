"""The compositor killed (SIGKILL, with its ffmpeg) in the middle of an encode: the gateway calls it
again once it is back (retried once); killed on the retry too, the job FAILS and says why."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.common import pb
from tests.faults.support import FaultStack, fault_stack, small_request, video

pytestmark = pytest.mark.faults

common = pb.common_pb2
# Long enough an encode (720 frames) to be killed in the middle of it.
DURATION_S = 60


def _encoding(job: video.Job) -> bool:
    return job.stage == video.JOB_STAGE_COMPOSE and 0 < job.frames_done < job.frames_total


def _retried(job: video.Job) -> bool:
    return any(w.code == "compose_retried" for w in job.warnings)


def _kill_mid_encode(s: FaultStack, name: str, *, retried: bool) -> None:
    s.wait_for(name, lambda j: _encoding(j) and _retried(j) == retried, 90, "frames being encoded")
    s.kill("compositor")
    s.restart("compositor")


def test_compositor_killed_mid_encode_is_retried_once_then_fails(tmp_path: Path) -> None:
    with fault_stack(tmp_path / "run", {"CINESYNTH_IMAGEGEN_SIMULATED_SECONDS": "0.2"}) as s:
        # Killed once: the retry composes the film.
        job = s.create(small_request(duration_s=DURATION_S))
        _kill_mid_encode(s, job.name, retried=False)
        done = s.wait_terminal(job.name, 120)
        assert done.state == video.JOB_STATE_SUCCEEDED, (done.error.message, s.log_tail("gateway"))
        retried = [w for w in done.warnings if w.code == "compose_retried"]
        assert len(retried) == 1 and retried[0].stage == "compose", retried
        assert done.frames_done == done.frames_total == DURATION_S * 12
        assert s.download(done.name, "video.mp4")[4:8] == b"ftyp"

        # Killed on the first call and on the retry: FAILED, with the reason, and no video reported.
        job = s.create(small_request(duration_s=DURATION_S, prompt="a night train crosses the desert"))
        _kill_mid_encode(s, job.name, retried=False)
        _kill_mid_encode(s, job.name, retried=True)
        failed = s.wait_terminal(job.name, 120)
        assert failed.state == video.JOB_STATE_FAILED
        assert failed.error.code == 14, failed.error  # UNAVAILABLE
        message = failed.error.message
        assert message.startswith("compose: the compositor failed (") and "gave up after 2 attempts" in message
        assert not any(a.kind == common.ARTIFACT_KIND_VIDEO for a in failed.artifacts)
        assert set(s.serving().values()) == {"SERVING"}
