"""An image worker killed (SIGKILL) in the middle of a keyframe: the job finishes on the other one."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.faults.support import fault_stack, small_request, video

pytestmark = pytest.mark.faults

SCENES = 4


def test_worker_killed_mid_keyframe_job_succeeds_on_the_other(tmp_path: Path) -> None:
    with fault_stack(tmp_path / "run", {"CINESYNTH_IMAGEGEN_SIMULATED_SECONDS": "1.5"}, imagegen_replicas=2) as s:
        victim, survivor = s.imagegen_workers
        job = s.create(small_request(scenes=SCENES))
        # Kill the victim inside its first render: its device slot is taken and nothing is finished yet
        # (a render takes 1.5 s; the job is polled every 50 ms).
        s.wait_for(job.name, lambda j: s.worker_state(victim) == (1, 0), 60, f"a keyframe rendering on {victim}")
        s.kill(victim)

        done = s.wait_terminal(job.name, 90)
        assert done.state == video.JOB_STATE_SUCCEEDED, (done.error.message, s.log_tail("gateway"))
        assert done.keyframes_done == SCENES and len(done.storyboard.scenes) == SCENES
        names = {a.name for a in done.artifacts}
        assert {f"keyframes/scene-{i:02d}.png" for i in range(SCENES)} <= names and "video.mp4" in names
        # The victim finished nothing: the survivor rendered every keyframe, each once.
        assert s.renders([survivor]) == {survivor: SCENES}
        assert s.serving()[survivor] == "SERVING" and s.serving()[victim] == "UNKNOWN"
