"""CreateVideo refuses what no stage can use, naming the field, and creates nothing: non-finite or
unrenderable scene durations in a client storyboard, prompts with NUL or nothing visible."""

from __future__ import annotations

import math

import grpc
import pytest

from services.common import pb
from services.common.errors import field_violations
from tests.integration.gateway.conftest import Gateway
from tests.integration.gateway.doubles import Doubles

video = pb.video_pb2
common = pb.common_pb2


def _board(*durations: float) -> common.Storyboard:
    return common.Storyboard(
        title="client board",
        scenes=[common.Scene(description=f"scene {i}", duration_s=d) for i, d in enumerate(durations)],
    )


async def _refused(gateway: Gateway, request: video.CreateVideoRequest) -> dict[str, str]:
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await gateway.stub.CreateVideo(request)
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    return {v.field: v.description for v in field_violations(raised.value)}


@pytest.mark.parametrize(
    ("durations", "field", "says"),
    [
        ((5.0, math.nan, 5.0), "storyboard.scenes[1].duration_s", "finite"),
        ((5.0, math.inf), "storyboard.scenes[1].duration_s", "finite"),
        ((-math.inf, 5.0), "storyboard.scenes[0].duration_s", "finite"),
        ((5.0, 1e308), "storyboard.scenes[1].duration_s", "600"),
        ((6.0, 1e-300), "storyboard.scenes[1].duration_s", "one frame"),
        ((6.0, 0.0), "storyboard.scenes[1].duration_s", "one frame"),
        ((300.0, 300.0, 300.0), "storyboard.scenes", "sum"),
    ],
)
async def test_unrenderable_storyboard_durations_are_refused(
    gateway: Gateway, doubles: Doubles, durations: tuple[float, ...], field: str, says: str
) -> None:
    fields = await _refused(gateway, video.CreateVideoRequest(storyboard=_board(*durations)))
    assert field in fields and says in fields[field], fields
    assert not (await gateway.stub.ListJobs(video.ListJobsRequest())).jobs
    assert not doubles.storyboard.requests


@pytest.mark.parametrize(
    "prompt",
    ["\u200b\u200b\u200b", "\u200d\ufeff\u2060", "\u3164\u2800", " \u200b \t", "a lighthouse\x00keeper", "\x00"],
    ids=["zwsp", "joiners", "fillers", "mixed-space", "nul-inside", "nul"],
)
async def test_prompts_with_nul_or_nothing_visible_are_refused(gateway: Gateway, doubles: Doubles, prompt: str) -> None:
    fields = await _refused(gateway, video.CreateVideoRequest(prompt=prompt, spec=video.VideoSpec(duration_s=10)))
    assert set(fields) == {"prompt"}, fields
    assert not (await gateway.stub.ListJobs(video.ListJobsRequest())).jobs


async def test_a_renderable_client_storyboard_and_a_non_latin_prompt_still_pass(gateway: Gateway) -> None:
    job = (await gateway.stub.CreateVideo(video.CreateVideoRequest(storyboard=_board(0.5, 6.0)))).job
    assert job.state == video.JOB_STATE_QUEUED
    # Combining marks and joiners inside real text are fine (Devanagari, an emoji sequence).
    job = await gateway.create("नमस्ते दुनिया 👩\u200d🚀 一个灯塔")
    assert (await gateway.wait(job.name)).state == video.JOB_STATE_SUCCEEDED
