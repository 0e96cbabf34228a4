"""Proto <-> core conversion of the ImageGen servicer."""

from __future__ import annotations

import pytest

from services.common import pb
from services.common.errors import InvalidArgument
from services.imagegen.catalog import Tier
from services.imagegen.domain import KeyframeResult, Notice
from services.imagegen.servicer import generate_request, keyframe_message

common = pb.common_pb2
imagegen = pb.imagegen_pb2


def test_scene_fields_reach_the_core() -> None:
    scene = common.Scene(
        index=3,
        title="Storm",
        visual_prompt="a lighthouse in a storm, cinematic",
        negative_prompt="blurry",
        mood="tense",
        shot_type="wide",
        beat="climax",
        duration_s=4.5,
        narration="It broke.",
        shot=common.ShotDomains(
            character="Elias",
            background="harbour",
            lighting="night",
            camera_pose=common.CameraMotion(pan=0.2, tilt=-0.1, move="pan-right"),
        ),
    )
    request = imagegen.GenerateKeyframesRequest(
        output_prefix="jobs/1/keyframes",
        allow_degrade=True,
        job_id="1",
        keyframes=[
            imagegen.KeyframeSpec(id="s3", seed=7, tier=common.TIER_STANDARD, scene=scene),
            imagegen.KeyframeSpec(id="p", prompt="explicit", guidance=0.0, tier=common.TIER_DRAFT),
        ],
    )
    core = generate_request(request)
    first, second = core.keyframes
    assert (first.prompt, first.negative_prompt, first.tier, first.guidance) == (
        "a lighthouse in a storm, cinematic",
        "blurry",
        Tier.STANDARD,
        None,
    )
    assert first.scene is not None and first.scene.index == 3 and first.scene.lighting == "night"
    assert (first.scene.camera.pan, first.scene.camera.zoom, first.scene.camera.move) == (0.2, 1.0, "pan-right")
    assert second.guidance == 0.0 and second.scene is None and second.tier is Tier.DRAFT
    assert core.allow_degrade and core.output_prefix == "jobs/1/keyframes"


def test_unknown_tier_values_are_invalid() -> None:
    request = imagegen.GenerateKeyframesRequest(
        output_prefix="p", keyframes=[imagegen.KeyframeSpec(prompt="x", tier=9)]
    )
    with pytest.raises(InvalidArgument, match=r"keyframes\[0\].tier"):
        generate_request(request)


def test_keyframe_message() -> None:
    result = KeyframeResult(
        id="s3",
        name="keyframes/s3.png",
        uri="file:///x/s3.png",
        size_bytes=10,
        sha256="ab",
        mime_type="image/png",
        model="tiny",
        tier=Tier.TURBO,
        seed=7,
        width=96,
        height=64,
        seconds=0.5,
        cached=True,
        warnings=(Notice("tier_degraded", "why"),),
    )
    message = keyframe_message(result)
    assert message.image.kind == common.ARTIFACT_KIND_KEYFRAME and message.tier == common.TIER_TURBO
    assert message.cached and [(w.code, w.stage) for w in message.warnings] == [("tier_degraded", "keyframes")]
