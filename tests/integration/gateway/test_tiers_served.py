"""A tier no image pool is configured for is refused at CreateVideo (FAILED_PRECONDITION naming the
tiers served); with degrading allowed the job renders at the best served tier, with a warning."""

from __future__ import annotations

from pathlib import Path

import grpc
import pytest

from services.common import pb
from tests.integration.gateway.conftest import gateway_settings, running_gateway
from tests.integration.gateway.doubles import Doubles

video = pb.video_pb2
common = pb.common_pb2


async def test_unserved_tier_is_refused_and_a_degradable_one_renders_lower(tmp_path: Path, doubles: Doubles) -> None:
    settings = gateway_settings(tmp_path, doubles, imagegen_default_tiers=["draft", "turbo"])
    async with running_gateway(settings) as gateway:
        with pytest.raises(grpc.aio.AioRpcError) as raised:
            await gateway.create(spec=video.VideoSpec(duration_s=10, scene_count=2, tier=common.TIER_ULTRA))
        assert raised.value.code() == grpc.StatusCode.FAILED_PRECONDITION
        assert "tier ultra is not served" in raised.value.details()
        assert "tiers served: draft, turbo" in raised.value.details()
        assert not (await gateway.stub.ListJobs(video.ListJobsRequest())).jobs

        spec = video.VideoSpec(duration_s=10, scene_count=2, tier=common.TIER_ULTRA, allow_degrade=True)
        done = await gateway.wait((await gateway.create(spec=spec)).name)
    assert done.state == video.JOB_STATE_SUCCEEDED, done.error.message
    assert set(doubles.imagegen[0].requested_tiers) == {common.TIER_TURBO}, "the unserved tier is never asked for"
    assert any(w.code == "tier_degraded" and "no pool serves tier ultra" in w.message for w in done.warnings)


async def test_only_per_tier_pools_serve_their_tiers(tmp_path: Path, doubles: Doubles) -> None:
    settings = gateway_settings(
        tmp_path, doubles, imagegen_target="", imagegen_targets={"standard": doubles.targets["imagegen"]}
    )
    async with running_gateway(settings) as gateway:
        with pytest.raises(grpc.aio.AioRpcError) as raised:
            await gateway.create()  # draft by default: no pool
        assert raised.value.code() == grpc.StatusCode.FAILED_PRECONDITION
        assert "tiers served: standard" in raised.value.details()
        spec = video.VideoSpec(duration_s=10, scene_count=2, tier=common.TIER_STANDARD)
        done = await gateway.wait((await gateway.create(spec=spec)).name)
    assert done.state == video.JOB_STATE_SUCCEEDED, done.error.message
