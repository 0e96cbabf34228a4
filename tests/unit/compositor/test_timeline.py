"""Timeline arithmetic, geometry presets and request validation (pure, no I/O)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.common.errors import InvalidArgument
from services.compositor.settings import CompositorSettings
from services.compositor.spec import Aspect, CameraMotion, ComposeRequest, EncoderSpec, SceneSpec, Transition
from services.compositor.timeline import build_timeline, plan_composition, resolve_geometry

SETTINGS = CompositorSettings()
KF = "file:///store/k.png"


def scenes(*durations: float, **kw: object) -> tuple[SceneSpec, ...]:
    return tuple(SceneSpec(KF, d, **kw) for d in durations)  # type: ignore[arg-type]


def violations(request: ComposeRequest) -> dict[str, str]:
    with pytest.raises(InvalidArgument) as caught:
        plan_composition(request, SETTINGS)
    return {v.field: v.description for v in caught.value.violations}


def test_fractional_scene_durations_add_up_to_an_exact_frame_count():
    t = build_timeline([1.3, 2.71, 0.55, 3.333], [Transition.CUT] * 4, [0] * 4, 24)
    assert t.frame_count == round((1.3 + 2.71 + 0.55 + 3.333) * 24) == 189
    # Boundaries are the rounded exact cumulative times (31.2, 96.24, 109.44, 189.43 frames).
    assert [s.end - s.start for s in t.scenes] == [31, 65, 13, 80]
    assert t.scenes[0].start == 0 and t.scenes[-1].end == t.frame_count


@settings(max_examples=100, deadline=None)
@given(
    durations=st.lists(st.floats(0.05, 20), min_size=1, max_size=8),
    fps=st.integers(12, 60),
    kinds=st.lists(st.sampled_from(list(Transition)), min_size=8, max_size=8),
    lengths=st.lists(st.floats(0, 30), min_size=8, max_size=8),
)
def test_segments_tile_the_timeline_exactly(durations, fps, kinds, lengths):
    durations = [max(d, 1 / fps) for d in durations]
    t = build_timeline(durations, kinds, lengths, fps)
    assert t.frame_count == math.floor(math.fsum(durations) * fps + 0.5 + 1e-9)
    covered = [k for seg in t.segments() for k in range(seg.start, seg.end)]
    assert covered == list(range(t.frame_count))  # every frame once, in order
    for span in t.transitions:
        if span is None:
            continue
        a, b = t.scenes[span.index], t.scenes[span.index + 1]
        boundary = a.end
        assert span.start == boundary - span.length // 2  # centred on the cut
        assert span.length <= min(a.end - a.start, b.end - b.start)
        alphas = [span.alpha(k) for k in range(span.start, span.end)]
        assert all(0 < x < 1 for x in alphas)
        assert alphas == pytest.approx([1 - x for x in reversed(alphas)])  # symmetric
    for s in t.scenes:
        first, last = s.progress(s.visible_start), s.progress(s.visible_end - 1)
        assert 0 < first <= last < 1 and first == pytest.approx(1 - last)


def test_transition_overlaps_both_scenes_symmetrically_and_clamps():
    t = build_timeline([2, 2, 0.5], [Transition.CROSSFADE] * 3, [1, 3, 0], 24)
    first, second = t.transitions
    assert (first.start, first.length) == (48 - 12, 24)
    # 3 s asked between a 2 s and a 0.5 s scene: clamped to the 12 frames of the shorter.
    assert (second.start, second.length) == (96 - 6, 12)
    assert t.scenes[1].visible_start == 36 and t.scenes[1].visible_end == 102
    assert t.frame_count == 108


def test_cut_has_no_transition_frames():
    t = build_timeline([1, 1], [Transition.CUT, Transition.CUT], [5, 5], 24)
    assert t.transitions == (None,)
    assert [(s.start, s.end, s.transition) for s in t.segments()] == [(0, 24, None), (24, 48, None)]


def test_geometry_presets():
    assert resolve_geometry(0, 0, Aspect.WIDESCREEN) == resolve_geometry(1280, 720, Aspect.WIDESCREEN)
    lb = resolve_geometry(0, 0, Aspect.CINEMASCOPE_LETTERBOX)
    assert (lb.width, lb.height, lb.picture_height, lb.picture_top) == (1280, 720, 536, 92)
    scope = resolve_geometry(0, 0, Aspect.CINEMASCOPE)
    assert (scope.width, scope.height, scope.letterboxed) == (1280, 536, False)
    vertical = resolve_geometry(0, 0, Aspect.VERTICAL)
    assert (vertical.width, vertical.height) == (720, 1280)
    assert resolve_geometry(320, 0, Aspect.VERTICAL).height == 568
    assert resolve_geometry(0, 180, Aspect.WIDESCREEN).width == 320
    small = resolve_geometry(320, 180, Aspect.CINEMASCOPE_LETTERBOX)
    assert (small.picture_top, small.picture_height) == (22, 134)  # even top: whole chroma rows


def test_defaults_are_resolved_from_settings():
    plan = plan_composition(ComposeRequest(scenes(2, 3), job_id="job-1"), SETTINGS)
    assert plan.fps == 24 and plan.timeline.frame_count == 120
    assert (plan.geometry.width, plan.geometry.height) == (1280, 720)
    assert plan.timeline.transitions[0].kind is Transition.CROSSFADE and plan.timeline.transitions[0].length == 24
    assert (plan.encoder.codec, plan.encoder.preset, plan.encoder.crf) == ("auto", "medium", 23)
    assert plan.output_prefix == "jobs/job-1/video"


def test_bad_timelines_name_their_fields():
    bad = violations(
        ComposeRequest(
            (
                SceneSpec("", 2.0),
                SceneSpec(KF, 0.0),
                SceneSpec(KF, -1.0),
                SceneSpec(KF, 2.0, transition="TransitionKind(99)"),
                SceneSpec(KF, 2.0, transition_s=-1),
                SceneSpec(KF, 0.01),
                SceneSpec(KF, 2.0, motion=CameraMotion(pan=3, zoom=10)),
            ),
            width=100000,
            height=100000,
            fps=500,
        )
    )
    assert set(bad) >= {
        "scenes[0].keyframe_uri", "scenes[1].duration_s", "scenes[2].duration_s", "scenes[3].transition",
        "scenes[4].transition_s", "scenes[5].duration_s", "scenes[6].motion.pan", "scenes[6].motion.zoom",
        "width", "height", "fps",
    }
    assert "TransitionKind(99)" in bad["scenes[3].transition"]
    assert "one frame" in bad["scenes[5].duration_s"]


@pytest.mark.parametrize(
    ("request_", "field"),
    [
        (ComposeRequest(()), "scenes"),
        (ComposeRequest(scenes(1), fps=5), "fps"),
        (ComposeRequest(scenes(1), width=321, height=180), "width"),
        (ComposeRequest(scenes(1), aspect="square"), "aspect"),
        (ComposeRequest(scenes(1), encoder=EncoderSpec(codec="vp9")), "encoder.codec"),
        (ComposeRequest(scenes(1), encoder=EncoderSpec(preset="warp")), "encoder.preset"),
        (ComposeRequest(scenes(1), encoder=EncoderSpec(crf=60)), "encoder.crf"),
        (ComposeRequest(scenes(1), output_prefix="../escape"), "output_prefix"),
        (ComposeRequest(scenes(4000)), "scenes"),
        (ComposeRequest(scenes(1, motion_intensity=2)), "scenes[0].motion_intensity"),
    ],
)
def test_each_bad_field_is_named(request_, field):
    assert field in violations(request_)


def test_unknown_camera_move_is_a_warning_not_an_error():
    plan = plan_composition(ComposeRequest(scenes(1, motion=CameraMotion(move="barrel roll"))), SETTINGS)
    assert [n.code for n in plan.notices] == ["unknown_camera_move"]
    assert plan.timeline.scenes[0].move.is_static
