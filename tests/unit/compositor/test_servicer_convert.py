"""Proto <-> core conversion of the servicer (pure)."""

from __future__ import annotations

from services.common import pb
from services.common.artifacts import StoredObject
from services.compositor.servicer import artifact_to_proto, request_from_proto, result_to_proto
from services.compositor.spec import ComposeOutcome, GradeSpec, Notice, OutputArtifact

common = pb.common_pb2
cpb = pb.compositor_pb2


def test_unset_grade_is_the_paper_grade_and_unset_crf_is_the_default():
    request = request_from_proto(cpb.ComposeVideoRequest(scenes=[cpb.TimelineScene(keyframe_uri="u", duration_s=2)]))
    assert request.grade == GradeSpec(enabled=True, brightness=1.1, blue=1.05, sharpen=True)
    assert request.encoder.crf is None and request.encoder.codec == "" and request.aspect == ""
    assert request.scenes[0].transition == "" and request.scenes[0].motion.zoom == 0


def test_explicit_values_and_unknown_enums_pass_through():
    request = request_from_proto(
        cpb.ComposeVideoRequest(
            scenes=[
                cpb.TimelineScene(
                    keyframe_uri="u", duration_s=2, transition=common.TRANSITION_KIND_FLOW_MORPH,
                    motion=common.CameraMotion(pan=0.1, tilt=-0.2, zoom=1.2, move="dolly-in"), motion_intensity=0.5,
                ),
                cpb.TimelineScene(keyframe_uri="v", duration_s=1, transition=42),
            ],
            aspect=common.ASPECT_PRESET_CINEMASCOPE_LETTERBOX,
            grade=cpb.Grade(brightness=1.0, sharpen=False),
            encoder=cpb.EncoderOptions(codec="libx264", preset="fast", crf=0),
        )
    )
    first, second = request.scenes
    assert first.transition == "flow_morph" and first.motion.zoom == 1.2 and first.motion_intensity == 0.5
    assert second.transition == "TransitionKind(42)"  # rejected by validation, naming the field
    assert request.aspect == "cinemascope_letterbox"
    assert request.grade == GradeSpec(enabled=True, brightness=1.0, blue=1.05, sharpen=False)
    assert (request.encoder.codec, request.encoder.preset, request.encoder.crf) == ("libx264", "fast", 0)


def test_result_carries_artifacts_and_warnings():
    stored = StoredObject("file:///s/jobs/1/video/video.mp4", "jobs/1/video/video.mp4", 10, "ab" * 32, "video/mp4")
    video = OutputArtifact("video.mp4", "video", stored)
    outcome = ComposeOutcome(
        video=video, poster=OutputArtifact("poster.jpg", "poster", stored), contact_sheet=video, srt=None, vtt=None,
        frame_count=240, duration_s=10.0, fps=24, width=320, height=180, encoder="libx264",
        warnings=(Notice("nvenc_unavailable", "no GPU"),), seconds=1.5,
    )
    result = result_to_proto(outcome)
    assert result.video.kind == common.ARTIFACT_KIND_VIDEO and result.video.sha256 == "ab" * 32
    assert result.poster.kind == common.ARTIFACT_KIND_POSTER and not result.HasField("srt")
    assert [(w.code, w.stage) for w in result.warnings] == [("nvenc_unavailable", "compose")]
    assert artifact_to_proto(None) is None
