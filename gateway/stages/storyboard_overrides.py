"""A request's spec overrides written into its storyboard, so that storyboard.json and
Job.storyboard say what the film does (the compositor then reads the same values)."""

from __future__ import annotations

from gateway.model import VideoSpec
from services.common import pb
from services.common.enums import enum_value


def apply_spec_overrides(storyboard: pb.common_pb2.Storyboard, spec: VideoSpec) -> list[str]:
    """Overwrite scene fields the request fixed; returns the names of the overridden fields."""
    overridden = []
    transition = enum_value(pb.common_pb2.TransitionKind, "TRANSITION_KIND_", spec.transition)
    if transition:
        cut = pb.common_pb2.TransitionKind.TRANSITION_KIND_CUT
        for scene in storyboard.scenes:
            scene.transition = transition
            if transition == cut:
                scene.transition_s = 0.0  # a cut takes no time; other kinds keep the planned length
        overridden.append("transition")
    return overridden
