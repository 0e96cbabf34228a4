"""A request's transition override is written into the storyboard the job keeps."""

from __future__ import annotations

from gateway.model import VideoSpec
from gateway.stages.storyboard_overrides import apply_spec_overrides
from services.common import pb

KIND = pb.common_pb2.TransitionKind


def storyboard() -> pb.common_pb2.Storyboard:
    return pb.common_pb2.Storyboard(scenes=[
        pb.common_pb2.Scene(transition=KIND.TRANSITION_KIND_CROSSFADE, transition_s=0.8),
        pb.common_pb2.Scene(transition=KIND.TRANSITION_KIND_DIP_TO_BLACK, transition_s=1.2),
    ])


def test_a_cut_override_is_written_into_every_scene_and_takes_no_time():
    board = storyboard()
    assert apply_spec_overrides(board, VideoSpec(transition="cut")) == ["transition"]
    assert [(s.transition, s.transition_s) for s in board.scenes] == [(KIND.TRANSITION_KIND_CUT, 0.0)] * 2


def test_a_crossfade_override_keeps_the_planned_lengths():
    board = storyboard()
    apply_spec_overrides(board, VideoSpec(transition="crossfade"))
    assert [s.transition for s in board.scenes] == [KIND.TRANSITION_KIND_CROSSFADE] * 2
    assert [round(s.transition_s, 3) for s in board.scenes] == [0.8, 1.2]


def test_no_override_leaves_the_storyboards_choice():
    board = storyboard()
    assert apply_spec_overrides(board, VideoSpec()) == []
    assert board == storyboard()
