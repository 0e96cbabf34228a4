"""A downstream service killed mid-stage and back after a while: the stage waits for it (within its
retry budget), calls again, and the job SUCCEEDS with the wait as a warning; past the budget the job
fails UNAVAILABLE naming the stage, without internal addresses; other errors are never retried.

The doubles are real gRPC servers on loopback: `kill` stops one at once (its in-flight call is cut
off), `restart` serves it again on the same port. The restart delay is the fault being simulated.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from services.common import pb
from services.common.server import create_server
from tests.integration.gateway.conftest import gateway_settings, running_gateway, until
from tests.integration.gateway.doubles import Doubles, FakeAudio

video = pb.video_pb2
common = pb.common_pb2
DOWN_S = 1.0


def _warnings(job: video.Job) -> dict[str, video.Job]:
    return {w.code: w for w in job.warnings}


async def test_audio_killed_mid_soundtrack_and_back_later_the_job_succeeds(tmp_path: Path, doubles: Doubles) -> None:
    doubles.audio.delay_s = 30.0  # the first call is still running when the service dies
    async with running_gateway(gateway_settings(tmp_path, doubles, stage_retry_budget_s=20)) as gateway:
        job = await gateway.create()
        await until(lambda: len(doubles.audio.requests) == 1)
        await doubles.kill("audio")
        doubles.audio.delay_s = 0.0
        await asyncio.sleep(DOWN_S)
        await doubles.restart("audio")
        done = await gateway.wait(job.name)
    assert done.state == video.JOB_STATE_SUCCEEDED, done.error.message
    assert len(doubles.audio.requests) == 2
    # A short outage may be absorbed by the channel's own UNAVAILABLE retries; a longer one is waited
    # for by the stage and says so on the job.
    warning = _warnings(done).get("service_unavailable")
    if warning is not None:
        assert warning.stage == "soundtrack" and "audio service was unreachable" in warning.message
        assert "127.0.0.1" not in warning.message and "ipv4:" not in warning.message
    # Keyframes, finished before or during the outage, were rendered once each.
    assert set(doubles.keyframes_completed().values()) == {1}


async def test_storyboard_down_when_the_job_starts_waits_for_it(tmp_path: Path, doubles: Doubles) -> None:
    async with running_gateway(gateway_settings(tmp_path, doubles, stage_retry_budget_s=20)) as gateway:
        await doubles.kill("storyboard")
        job = await gateway.create()
        await until(lambda: gateway.parts.manager.live(job.id) is not None and any(
            w.code == "service_unavailable" for w in gateway.parts.manager.live(job.id).warnings))
        await asyncio.sleep(DOWN_S)
        await doubles.restart("storyboard")
        done = await gateway.wait(job.name)
    assert done.state == video.JOB_STATE_SUCCEEDED, done.error.message
    warning = _warnings(done)["service_unavailable"]
    assert warning.stage == "storyboard" and "waiting up to 20 s" in warning.message
    assert "127.0.0.1" not in warning.message and "ipv4:" not in warning.message


async def test_image_worker_killed_mid_keyframe_and_back_no_keyframe_rendered_twice(
    tmp_path: Path, doubles: Doubles
) -> None:
    worker = doubles.imagegen[0]
    worker.gate = asyncio.Event()
    worker.gate_ids = {"scene-02"}  # scenes 0 and 1 finish; scene 2 is rendering when the worker dies
    async with running_gateway(gateway_settings(tmp_path, doubles, stage_retry_budget_s=20)) as gateway:
        job = await gateway.create()
        await until(lambda: worker.completed["scene-00"] and worker.completed["scene-01"] and worker.inflight == 1)
        await doubles.kill("imagegen-0")
        worker.gate.set()
        await asyncio.sleep(DOWN_S)
        await doubles.restart("imagegen-0")
        done = await gateway.wait(job.name)
    assert done.state == video.JOB_STATE_SUCCEEDED, done.error.message
    assert dict(worker.completed) == {"scene-00": 1, "scene-01": 1, "scene-02": 1}
    assert _warnings(done)["service_unavailable"].stage == "keyframes"


async def test_past_the_budget_the_job_fails_unavailable_without_addresses(tmp_path: Path, doubles: Doubles) -> None:
    async with running_gateway(gateway_settings(tmp_path, doubles, stage_retry_budget_s=1.0)) as gateway:
        await doubles.kill("audio")
        done = await gateway.wait((await gateway.create()).name)
    assert done.state == video.JOB_STATE_FAILED and done.error.code == 14  # UNAVAILABLE
    message = done.error.message
    assert message.startswith("soundtrack: the audio service was unreachable for "), message
    assert "gave up" in message and "127.0.0.1" not in message and "ipv4:" not in message, message


async def test_invalid_argument_is_never_retried(gateway, doubles: Doubles) -> None:
    doubles.audio.fail = "invalid"
    done = await gateway.wait((await gateway.create()).name)
    assert done.state == video.JOB_STATE_FAILED and done.error.code == 3
    assert len(doubles.audio.requests) == 1
    assert "service_unavailable" not in _warnings(done)


async def test_with_two_audio_replicas_one_killed_the_other_serves(tmp_path: Path, doubles: Doubles) -> None:
    spare = FakeAudio(doubles.store)
    server, port = create_server("127.0.0.1:0")
    pb.audio_grpc.add_AudioServiceServicer_to_server(spare, server)
    await server.start()
    try:
        target = f"ipv4:{doubles.targets['audio']},127.0.0.1:{port}"
        settings = gateway_settings(tmp_path, doubles, audio_target=target, stage_retry_budget_s=20)
        async with running_gateway(settings) as gateway:
            await doubles.kill("audio")
            done = await gateway.wait((await gateway.create()).name)
    finally:
        await server.stop(0)
    assert done.state == video.JOB_STATE_SUCCEEDED, done.error.message
    assert len(spare.requests) == 1 and not doubles.audio.requests
