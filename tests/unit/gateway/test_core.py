"""Pure pieces of the gateway core: worker addresses, tier routing, progress, page tokens, documents."""

from __future__ import annotations

import pytest

from gateway.convert import create_input, job_to_proto
from gateway.downstream import WorkerPool, dns_host_port, resolve_addresses, static_addresses
from gateway.model import (
    ArtifactRecord,
    ErrorInfo,
    Job,
    JobState,
    KeyframeRecord,
    Stage,
    StageTiming,
    VideoSpec,
    WarningRecord,
    from_document,
    new_job_id,
    to_document,
)
from gateway.service import decode_page_token, encode_page_token, parse_job_name
from gateway.settings import GatewaySettings
from gateway.stages.keyframes import TierRouter, keyframe_size
from services.common import pb
from services.common.enums import short_name
from services.common.errors import InvalidArgument

video = pb.video_pb2
common = pb.common_pb2


def test_worker_targets_resolve_to_every_address() -> None:
    assert static_addresses("ipv4:10.0.0.1:50053,10.0.0.2:50053") == ["ipv4:10.0.0.1:50053", "ipv4:10.0.0.2:50053"]
    assert static_addresses("unix:/run/imagegen.sock") == ["unix:/run/imagegen.sock"]
    assert static_addresses("imagegen:50053") is None
    assert dns_host_port("dns:///imagegen.ns.svc:50053") == ("imagegen.ns.svc", 50053)
    assert dns_host_port("dns://8.8.8.8/imagegen:50053") == ("imagegen", 50053)
    assert dns_host_port("[::1]:50053") == ("::1", 50053)
    assert dns_host_port("no-port") is None
    assert resolve_addresses("127.0.0.1:50053") == ["ipv4:127.0.0.1:50053"]
    assert resolve_addresses("[::1]:50053") == ["ipv6:[::1]:50053"]


async def test_pool_picks_round_robin_and_skips_refusers() -> None:
    pool = WorkerPool("ipv4:127.0.0.1:1,127.0.0.1:2,127.0.0.1:3")
    try:
        picks = [(await pool.pick(set()))[0] for _ in range(6)]  # type: ignore[index]
        assert picks == ["ipv4:127.0.0.1:1", "ipv4:127.0.0.1:2", "ipv4:127.0.0.1:3"] * 2
        for _ in range(4):
            address, _ = await pool.pick({"ipv4:127.0.0.1:1", "ipv4:127.0.0.1:2"})  # type: ignore[misc]
            assert address == "ipv4:127.0.0.1:3"
        assert await pool.pick({"ipv4:127.0.0.1:1", "ipv4:127.0.0.1:2", "ipv4:127.0.0.1:3"}) is None
    finally:
        await pool.close()


def test_tier_router_degrades_only_when_allowed() -> None:
    strict = TierRouter("ultra", allow_degrade=False)
    assert strict.current == "ultra" and strict.degrade("ultra") == (None, False)
    router = TierRouter("standard", allow_degrade=True)
    assert router.candidates == ["standard", "turbo", "draft"]
    assert router.degrade("standard") == ("turbo", True)
    assert router.degrade("standard") == ("turbo", False), "a second keyframe failing on standard just follows"
    assert router.degrade("turbo") == ("draft", True)
    assert router.degrade("draft") == (None, False)


def test_keyframe_sizes_keep_the_aspect() -> None:
    assert keyframe_size(1280, 720, 0) == (1280, 720)
    w, h = keyframe_size(1280, 720, 768 * 512)
    assert w % 8 == 0 and h % 8 == 0 and abs(w / h - 16 / 9) < 0.03 and abs(w * h - 768 * 512) < 20000
    w, h = keyframe_size(720, 1280, 1024 * 1024)
    assert h > w and w % 8 == 0


def _job(**kwargs: object) -> Job:
    return Job(
        id=new_job_id(), tenant="t", request_id="", request_hash="", spec=VideoSpec(), source_kind="prompt", **kwargs
    )


def test_page_tokens_are_opaque_and_bound_to_filters() -> None:
    job_id = new_job_id()
    token = encode_page_token((1700000000123456, job_id), JobState.SUCCEEDED, {"a": "b"})
    assert job_id not in token
    assert decode_page_token(token, JobState.SUCCEEDED, {"a": "b"}) == (1700000000123456, job_id)
    for state, labels in ((None, {"a": "b"}), (JobState.SUCCEEDED, {})):
        with pytest.raises(InvalidArgument):
            decode_page_token(token, state, labels)
    with pytest.raises(InvalidArgument):
        decode_page_token("e30", None, {})


def test_job_names() -> None:
    job_id = new_job_id()
    assert parse_job_name(f"jobs/{job_id}") == parse_job_name(job_id) == job_id
    for bad in ("", "jobs/", "jobs/x", "../etc/passwd", job_id.upper()):
        with pytest.raises(InvalidArgument):
            parse_job_name(bad)


def test_documents_roundtrip_and_proto_conversion() -> None:
    job = _job(prompt="p", labels={"k": "v"}, storyboard={"title": "T", "scenes": [{"index": 0, "title": "s"}]})
    artifact = ArtifactRecord("keyframes/scene-00.png", "file:///x.png", "image/png", 9, "ab", "keyframe")
    job.keyframes["scene-00"] = KeyframeRecord("scene-00", 0, artifact, "m", "turbo", 1, 64, 64)
    job.artifacts.append(artifact)
    job.warnings.append(WarningRecord("tier_degraded", "m", "keyframes"))
    job.timings.append(StageTiming("storyboard", 10.0, 12.5))
    job.state, job.stage, job.error = JobState.FAILED, Stage.KEYFRAMES, ErrorInfo("UNAVAILABLE", "keyframes: down")
    job.tier_used = "turbo"
    copy = from_document(to_document(job))
    assert copy == job
    proto = job_to_proto(job)
    assert proto.name == f"jobs/{job.id}" and proto.state == video.JOB_STATE_FAILED
    assert proto.stage == video.JOB_STAGE_KEYFRAMES and proto.tier_used == common.TIER_TURBO
    assert proto.error.code == 14 and proto.storyboard.scenes[0].title == "s"
    assert proto.artifacts[0].kind == common.ARTIFACT_KIND_KEYFRAME
    assert proto.timings[0].seconds == 2.5 and proto.timings[0].stage == video.JOB_STAGE_STORYBOARD
    # Unknown future keys in a stored document are ignored.
    doc = to_document(job)
    doc["from_the_future"] = 1
    assert from_document(doc).id == job.id


def test_request_conversion_keeps_unset_apart_from_zero() -> None:
    request = video.CreateVideoRequest(prompt="p", spec=video.VideoSpec(seed=0, captions=False, tier=77))
    converted = create_input(request)
    assert converted.spec.seed == 0 and converted.spec.captions is False and converted.spec.tier == "unknown(77)"
    bare = create_input(video.CreateVideoRequest(prompt="p"))
    assert bare.spec.seed is None and bare.spec.captions is None and bare.spec.tier == ""
    assert short_name(common.Tier, "TIER_", common.TIER_ULTRA) == "ultra"


def test_settings_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CINESYNTH_IMAGEGEN_TARGETS", '{"ultra": "dns:///imagegen-ultra:50053"}')
    monkeypatch.setenv("CINESYNTH_JOB_STORE", "postgresql://postgres@db/jobs")
    monkeypatch.setenv("CINESYNTH_WEBHOOK_SECRET", "s3cret")
    settings = GatewaySettings()
    assert settings.imagegen_target_for("ultra") == "dns:///imagegen-ultra:50053"
    assert settings.imagegen_target_for("draft") == settings.imagegen_target
    assert "s3cret" not in repr(settings), "secrets stay out of logs"
    monkeypatch.setenv("CINESYNTH_IMAGEGEN_TARGETS", '{"mega": "x:1"}')
    with pytest.raises(ValueError, match="unknown tier"):
        GatewaySettings()
