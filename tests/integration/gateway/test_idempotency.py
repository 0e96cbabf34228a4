"""Idempotent CreateVideo over gRPC (AIP-155): the same normalised request with one request_id is one job;
another request under that id is ALREADY_EXISTS with an ErrorInfo and a ResourceInfo naming the job."""

from __future__ import annotations

import grpc
import pytest
from google.rpc import error_details_pb2, status_pb2

from services.common import pb
from tests.integration.gateway.conftest import Gateway
from tests.integration.gateway.doubles import Doubles

video = pb.video_pb2
common = pb.common_pb2


def status_details(error: grpc.aio.AioRpcError) -> status_pb2.Status:
    raw = dict(error.trailing_metadata() or ()).get("grpc-status-details-bin")
    assert raw, "a rich status (google.rpc.Status) is attached"
    return status_pb2.Status.FromString(raw)


async def test_written_out_defaults_are_the_same_request(gateway: Gateway, doubles: Doubles) -> None:
    implicit = await gateway.create(request_id="aip155-a", spec=video.VideoSpec(duration_s=10, scene_count=3))
    explicit = await gateway.create(
        prompt="  a lighthouse keeper finds a map  ",
        request_id="aip155-a",
        spec=video.VideoSpec(
            duration_s=10, scene_count=3, fps=24, tier=common.TIER_DRAFT, captions=True,
            aspect=common.ASPECT_PRESET_WIDESCREEN, music_source=common.MUSIC_SOURCE_AUTO,
        ),
    )
    assert explicit.name == implicit.name
    await gateway.wait(implicit.name)
    assert len(doubles.storyboard.requests) == 1


async def test_a_different_request_under_the_id_names_the_existing_job(gateway: Gateway) -> None:
    first = await gateway.create(request_id="aip155-b", spec=video.VideoSpec(duration_s=10, scene_count=3))
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await gateway.create(request_id="aip155-b", spec=video.VideoSpec(duration_s=10, scene_count=3, fps=30))
    assert raised.value.code() == grpc.StatusCode.ALREADY_EXISTS
    assert first.name in raised.value.details()
    status = status_details(raised.value)
    info, resource = error_details_pb2.ErrorInfo(), error_details_pb2.ResourceInfo()
    assert status.details[0].Unpack(info) and status.details[1].Unpack(resource)
    assert (info.reason, info.domain) == ("REQUEST_ID_REUSED", "cinesynth.v1.VideoService")
    assert dict(info.metadata) == {"job": first.name, "request_id": "aip155-b"}
    assert (resource.resource_type, resource.resource_name) == ("cinesynth.v1.Job", first.name)
    found = await gateway.stub.GetJob(video.GetJobRequest(name=info.metadata["job"]))
    assert found.job.request_id == "aip155-b"
