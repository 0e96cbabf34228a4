"""The audio side failing: gTTS and YouTube unreachable (fallbacks within their timeouts, warnings on the
job), the audio service frozen or dead (the job fails with a clear reason and never outlives its deadline).

One stack for the module; each test leaves every service SERVING.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator

import pytest

from services.common import pb
from tests.faults.support import FaultStack, fault_stack, small_request, tarpit, video

pytestmark = pytest.mark.faults

common = pb.common_pb2
GTTS_TIMEOUT_S, GTTS_BUDGET_S, YOUTUBE_TIMEOUT_S = 2.0, 4.0, 3.0
JOB_TIMEOUT_S = 6.0


@pytest.fixture(scope="module")
def audio_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FaultStack]:
    with fault_stack(tmp_path_factory.mktemp("audio") / "run", {"CINESYNTH_IMAGEGEN_SIMULATED_SECONDS": "0.2"}) as s:
        yield s


def _stage_seconds(job: video.Job, stage: int) -> float:
    return next(t.seconds for t in job.timings if t.stage == stage)


def test_gtts_and_youtube_unreachable_fall_back_in_time_with_warnings(audio_stack: FaultStack) -> None:
    s = audio_stack
    with tarpit() as blackhole:
        # Every outbound HTTP(S) request of the audio service goes to a proxy that never answers.
        proxy = f"http://{blackhole}"
        s.kill("audio")
        s.restart("audio", {
            "HTTPS_PROXY": proxy, "HTTP_PROXY": proxy, "https_proxy": proxy, "http_proxy": proxy,
            "NO_PROXY": "", "no_proxy": "",
            "CINESYNTH_GTTS_TIMEOUT_S": str(GTTS_TIMEOUT_S),
            "CINESYNTH_GTTS_BUDGET_S": str(GTTS_BUDGET_S),
            "CINESYNTH_YOUTUBE_TIMEOUT_S": str(YOUTUBE_TIMEOUT_S),
        })
        job = s.create(small_request(voice="gtts", music=common.MUSIC_SOURCE_YOUTUBE))
        done = s.wait_terminal(job.name, 90)

    assert done.state == video.JOB_STATE_SUCCEEDED, (done.error.message, s.log_tail("audio"))
    warnings = {w.code: w for w in done.warnings}
    assert {"tts_fallback", "music_youtube_failed"} <= set(warnings), [(w.code, w.message) for w in done.warnings]
    assert all(warnings[code].stage == "soundtrack" for code in ("tts_fallback", "music_youtube_failed"))
    assert "piper" in warnings["tts_fallback"].message
    # Both online sources were given up on within their own timeouts: the whole soundtrack (Piper's
    # first load, the procedural score and the mix included) stays well inside their sum plus slack.
    soundtrack_s = _stage_seconds(done, video.JOB_STAGE_SOUNDTRACK)
    assert soundtrack_s < GTTS_BUDGET_S + YOUTUBE_TIMEOUT_S + 20, soundtrack_s
    assert any(a.name == "video.mp4" for a in done.artifacts)
    # Back to the stack's own audio service (no proxy) for the next test.
    s.kill("audio")
    s.restart("audio")


def test_audio_frozen_or_dead_fails_the_job_in_time_with_the_reason(audio_stack: FaultStack) -> None:
    s = audio_stack
    s.kill("gateway")
    # A dead audio service is waited for (a rescheduled pod comes back) for STAGE_RETRY_BUDGET_S.
    s.restart("gateway", {"CINESYNTH_JOB_TIMEOUT_S": str(JOB_TIMEOUT_S), "CINESYNTH_STAGE_RETRY_BUDGET_S": "2"})

    # Frozen: the process holds its connections but answers nothing (SIGSTOP). The call's deadline ends it.
    s.kill("audio", signal.SIGSTOP)
    try:
        started = time.monotonic()
        frozen = s.wait_terminal(s.create(small_request()).name, JOB_TIMEOUT_S + 30)
        elapsed = time.monotonic() - started
    finally:
        s.kill("audio", signal.SIGCONT)
    assert frozen.state == video.JOB_STATE_FAILED
    assert frozen.error.code == 4, frozen.error  # DEADLINE_EXCEEDED
    assert "soundtrack" in frozen.error.message or "longer than" in frozen.error.message, frozen.error.message
    run_s = frozen.end_time.ToDatetime().timestamp() - frozen.create_time.ToDatetime().timestamp()
    assert run_s <= JOB_TIMEOUT_S + 2 and elapsed <= JOB_TIMEOUT_S + 5, (run_s, elapsed)

    # Dead: connections are refused; the stage waits its retry budget, gives up and the job says why.
    s.kill("audio")
    started = time.monotonic()
    dead = s.wait_terminal(s.create(small_request()).name, JOB_TIMEOUT_S + 30)
    assert dead.state == video.JOB_STATE_FAILED
    assert dead.error.code == 14, dead.error  # UNAVAILABLE
    assert dead.error.message.startswith("soundtrack: the audio service was unreachable for "), dead.error.message
    assert "127.0.0.1" not in dead.error.message, dead.error.message
    assert time.monotonic() - started <= JOB_TIMEOUT_S + 5
    assert not any(a.kind == common.ARTIFACT_KIND_VIDEO for a in dead.artifacts)

    # Back up: the next job goes through (on a gateway with the default deadline again: 6 s is tight
    # for a loaded machine's first soundtrack after a restart), and every service is SERVING.
    s.restart("audio")
    s.kill("gateway")
    s.restart("gateway")
    again = s.wait_terminal(s.create(small_request()).name, 60)
    assert again.state == video.JOB_STATE_SUCCEEDED, again.error.message
    assert set(s.serving().values()) == {"SERVING"}
