"""The Storyboard service through real gRPC on loopback port 0."""

from __future__ import annotations

import grpc
import pytest
from google.protobuf import json_format

from services.common import pb
from services.common.errors import field_violations
from services.storyboard.main import build_service
from services.storyboard.settings import StoryboardSettings
from tests.support import serve_in_process, test_settings
from tests.unit.storyboard.checks import assert_complete_json

common = pb.common_pb2
Request = pb.storyboard_pb2.CreateStoryboardRequest


@pytest.fixture
async def stub():
    settings = test_settings(StoryboardSettings)
    async with serve_in_process(build_service(settings), settings) as runtime:  # type: ignore[arg-type]
        async with grpc.aio.insecure_channel(f"127.0.0.1:{runtime.port}") as channel:
            yield pb.storyboard_grpc.StoryboardServiceStub(channel)


def as_dict(storyboard: common.Storyboard) -> dict:
    return json_format.MessageToDict(storyboard, preserving_proto_field_name=True,
                                     always_print_fields_with_no_presence=True)


async def test_a_prompt_becomes_a_complete_storyboard(stub):
    response = await stub.CreateStoryboard(
        Request(prompt="a lighthouse keeper's last night before the storm", scene_count=7, duration_s=90, seed=42),
        timeout=10,
    )
    storyboard = response.storyboard
    assert len(storyboard.scenes) == 7
    assert sum(s.duration_s for s in storyboard.scenes) == 90.0
    assert storyboard.seed == 42
    assert storyboard.provenance.backend == common.STORYBOARD_BACKEND_PLANNER
    assert storyboard.provenance.parse_outcome == common.PARSE_OUTCOME_OK
    assert_complete_json(as_dict(storyboard))
    again = await stub.CreateStoryboard(
        Request(prompt="a lighthouse keeper's last night before the storm", scene_count=7, duration_s=90, seed=42)
    )
    assert again.storyboard == storyboard


@pytest.mark.parametrize(("request_", "field"), [
    (Request(prompt=""), "prompt"),
    (Request(prompt="x" * 4001), "prompt"),
    (Request(prompt="ok", scene_count=1000), "scene_count"),
    (Request(prompt="ok", duration_s=-5), "duration_s"),
])
async def test_invalid_requests_are_invalid_argument_naming_the_field(stub, request_, field):
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await stub.CreateStoryboard(request_, timeout=10)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert [v.field for v in field_violations(caught.value)] == [field]
    assert field in caught.value.details()


async def test_a_client_storyboard_is_validated_and_normalised(stub):
    supplied = common.Storyboard(title="Mine", scenes=[
        common.Scene(description="a door opens", duration_s=3),
        common.Scene(description="light floods in", duration_s=4, transition=common.TRANSITION_KIND_CUT),
    ])
    response = await stub.CreateStoryboard(Request(storyboard=supplied), timeout=10)
    scenes = response.storyboard.scenes
    assert [s.start_s for s in scenes] == [0.0, 3.0] and response.storyboard.total_duration_s == 7.0
    assert response.storyboard.provenance.model == "client-supplied"
    supplied.scenes[1].duration_s = -1
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await stub.CreateStoryboard(Request(storyboard=supplied), timeout=10)
    assert [v.field for v in field_violations(caught.value)] == ["storyboard.scenes[1].duration_s"]


async def test_music_video_mode_cuts_on_downbeats(stub):
    beats = [i * 0.5 for i in range(64)]
    analysis = common.MusicAnalysis(
        duration_s=32, tempo_bpm=120, beat_times_s=beats, downbeat_times_s=beats[::4], section_boundaries_s=[16],
        energy=[0.3] * 32 + [0.8] * 32, energy_hop_s=0.5, key="C major",
    )
    response = await stub.CreateStoryboard(Request(music_context=common.MusicContext(
        analysis=analysis, genre_tags=["indie"], mv_type=common.MV_TYPE_NATURE_SCENIC, lyrics="la la\nlo lo",
    )), timeout=10)
    storyboard = response.storyboard
    starts = [s.start_s for s in storyboard.scenes]
    assert 16.0 in starts and all(t in beats for t in starts)
    assert sum(s.duration_s for s in storyboard.scenes) == 32.0
    assert storyboard.HasField("mv_description") and len(storyboard.mv_description.breakdown) == 16
    assert any(s.lyrics for s in storyboard.scenes)
