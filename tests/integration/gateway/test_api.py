"""Request validation, naming, listing with pages and filters, client storyboards, downloads."""

from __future__ import annotations

import math
from pathlib import Path

import grpc
import pytest

from services.common import pb
from services.common.errors import field_violations
from tests.integration.gateway.conftest import Gateway, gateway_settings, running_gateway
from tests.integration.gateway.doubles import Doubles

video = pb.video_pb2
common = pb.common_pb2


async def _invalid(gateway: Gateway, request: video.CreateVideoRequest) -> dict[str, str]:
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await gateway.stub.CreateVideo(request)
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    return {v.field: v.description for v in field_violations(raised.value)}


async def test_bad_requests_name_every_bad_field_and_create_nothing(tmp_path: Path, doubles: Doubles) -> None:
    async with running_gateway(gateway_settings(tmp_path, doubles, max_prompt_chars=50)) as gateway:
        everything_wrong = video.CreateVideoRequest(
            request_id="has spaces",
            prompt="x" * 51,
            spec=video.VideoSpec(
                duration_s=601, scene_count=61, fps=11, width=1001, height=3001, tier=9, aspect=7,
                music_source=42, voice=common.VoiceOptions(voice="robot", speaking_rate=math.inf, language="??"),
                transition=99,
            ),
            labels={"bad key!": "v"},
        )
        fields = await _invalid(gateway, everything_wrong)
        assert {
            "request_id", "prompt", "spec.duration_s", "spec.scene_count", "spec.fps", "spec.width", "spec.height",
            "spec.tier", "spec.aspect", "spec.music_source", "spec.voice.voice", "spec.voice.speaking_rate",
            "spec.voice.language", "spec.transition",
        } <= set(fields)
        assert "5..600" in fields["spec.duration_s"] and "601" in fields["spec.duration_s"]
        assert "unknown(9)" in fields["spec.tier"]

        nan = await _invalid(gateway, video.CreateVideoRequest(prompt="ok", spec=video.VideoSpec(duration_s=math.nan)))
        assert set(nan) == {"spec.duration_s"}
        assert set(await _invalid(gateway, video.CreateVideoRequest())) == {"prompt"}
        assert set(await _invalid(gateway, video.CreateVideoRequest(prompt="   "))) == {"prompt"}
        too_big = video.VideoSpec(width=4096, height=2160)
        assert set(await _invalid(gateway, video.CreateVideoRequest(prompt="ok", spec=too_big))) == {"spec.width"}
        crowded = video.VideoSpec(duration_s=5, scene_count=10)
        assert set(await _invalid(gateway, video.CreateVideoRequest(prompt="ok", spec=crowded))) == {"spec.scene_count"}
        empty_board = video.CreateVideoRequest(storyboard=common.Storyboard(title="no scenes"))
        assert set(await _invalid(gateway, empty_board)) == {"storyboard.scenes"}

        assert not (await gateway.stub.ListJobs(video.ListJobsRequest())).jobs
        assert not doubles.storyboard.requests

        # Boundaries are accepted; vertical 4K is fine; one edge alone follows the aspect preset.
        ok = await gateway.create(spec=video.VideoSpec(duration_s=600, scene_count=60, fps=60, width=2160, height=3840))
        assert (ok.spec.width, ok.spec.height, ok.spec.aspect) == (2160, 3840, common.ASPECT_PRESET_VERTICAL)
        derived = await gateway.create(
            spec=video.VideoSpec(duration_s=5, width=640, aspect=common.ASPECT_PRESET_CINEMASCOPE)
        )
        assert (derived.spec.width, derived.spec.height) == (640, 268)
        defaults = await gateway.create(spec=video.VideoSpec())
        assert (defaults.spec.duration_s, defaults.spec.scene_count, defaults.spec.fps) == (60, 5, 24)
        assert defaults.spec.tier == common.TIER_DRAFT and defaults.spec.captions
        assert defaults.spec.music_source == common.MUSIC_SOURCE_AUTO
        vertical = await gateway.create(spec=video.VideoSpec(aspect=common.ASPECT_PRESET_VERTICAL))
        assert (vertical.spec.width, vertical.spec.height) == (144, 256)


async def test_names_music_and_uploads(gateway: Gateway) -> None:
    stub = gateway.stub
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await stub.GetJob(video.GetJobRequest(name="jobs/../../etc"))
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await stub.GetJob(video.GetJobRequest(name="jobs/" + "0" * 32))
    assert raised.value.code() == grpc.StatusCode.NOT_FOUND
    # Music-video mode (tests/integration/musicvideo): no library here, and an upload needs data.
    music = video.CreateVideoRequest(music=video.MusicInput(library_track_id="track-1"))
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await stub.CreateVideo(music)
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert [v.field for v in field_violations(raised.value)] == ["music.library_track_id"]

    async def chunks():
        yield video.UploadMusicRequest(metadata=video.UploadMusicMetadata(filename="a.wav"))

    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await stub.UploadMusic(chunks())
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert [v.field for v in field_violations(raised.value)] == ["chunk"]


async def test_client_storyboard_skips_writing_one(gateway: Gateway, doubles: Doubles) -> None:
    scenes = [
        common.Scene(index=i, visual_prompt=f"shot {i}", narration=f"line {i}", duration_s=4.0) for i in range(2)
    ]
    job = await gateway.stub.CreateVideo(
        video.CreateVideoRequest(storyboard=common.Storyboard(title="mine", scenes=scenes))
    )
    assert job.job.source_kind == "storyboard" and job.job.spec.duration_s == 60
    final = await gateway.wait(job.job.name)
    assert final.state == video.JOB_STATE_SUCCEEDED and final.keyframes_total == 2
    assert doubles.storyboard.requests[0].storyboard.title == "mine"


async def test_list_pages_and_filters(gateway: Gateway, doubles: Doubles) -> None:
    stub = gateway.stub
    ids = []
    for i in range(5):
        job = await gateway.create(prompt=f"film {i}", labels={"team": "x" if i < 3 else "y", "n": str(i)})
        ids.append(job.id)
    for job_id in ids:
        assert (await gateway.wait(f"jobs/{job_id}")).state == video.JOB_STATE_SUCCEEDED
    doubles.imagegen[0].mode = "invalid"
    failed = await gateway.create(prompt="fails", labels={"team": "x"})
    assert (await gateway.wait(failed.name)).state == video.JOB_STATE_FAILED

    seen: list[str] = []
    token = ""
    pages = 0
    while True:
        response = await stub.ListJobs(video.ListJobsRequest(page_size=2, page_token=token))
        seen += [j.id for j in response.jobs]
        pages += 1
        token = response.next_page_token
        if not token:
            break
    assert seen == [failed.id, *reversed(ids)] and pages == 3, "newest first, each job once"

    team_x = await stub.ListJobs(video.ListJobsRequest(labels={"team": "x"}))
    assert [j.id for j in team_x.jobs] == [failed.id, ids[2], ids[1], ids[0]]
    both = await stub.ListJobs(video.ListJobsRequest(labels={"team": "x", "n": "1"}))
    assert [j.id for j in both.jobs] == [ids[1]]
    done = await stub.ListJobs(video.ListJobsRequest(state=video.JOB_STATE_SUCCEEDED, labels={"team": "x"}))
    assert [j.id for j in done.jobs] == [ids[2], ids[1], ids[0]]
    broken = await stub.ListJobs(video.ListJobsRequest(state=video.JOB_STATE_FAILED))
    assert [j.id for j in broken.jobs] == [failed.id]

    first = await stub.ListJobs(video.ListJobsRequest(page_size=1, labels={"team": "x"}))
    for bad in (
        video.ListJobsRequest(page_size=1, page_token=first.next_page_token),  # other filters
        video.ListJobsRequest(page_token="garbage!"),
        video.ListJobsRequest(page_size=-1),
    ):
        with pytest.raises(grpc.aio.AioRpcError) as raised:
            await stub.ListJobs(bad)
        assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT

    with pytest.raises(grpc.aio.AioRpcError) as raised:
        async for _ in stub.DownloadArtifact(video.DownloadArtifactRequest(name=failed.name, artifact="video.mp4")):
            pass
    assert raised.value.code() == grpc.StatusCode.NOT_FOUND
