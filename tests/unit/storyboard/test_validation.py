"""Requests and client-supplied storyboards are checked up front, every bad field named."""

from __future__ import annotations

import copy

import pytest

from services.common.errors import InvalidArgument
from services.storyboard.core import StoryboardWriter
from services.storyboard.domain import (
    MusicAnalysis,
    MusicContext,
    Scene,
    Storyboard,
    StoryboardRequest,
    Transition,
)
from services.storyboard.settings import StoryboardSettings

WRITER = StoryboardWriter(StoryboardSettings())


def violations(request: StoryboardRequest, writer: StoryboardWriter = WRITER) -> dict[str, str]:
    with pytest.raises(InvalidArgument) as caught:
        writer.create(request)
    return {v.field: v.description for v in caught.value.violations}


@pytest.mark.parametrize(("request_", "field"), [
    (StoryboardRequest(prompt=""), "prompt"),
    (StoryboardRequest(prompt="  \n "), "prompt"),
    (StoryboardRequest(prompt="x" * 4001), "prompt"),
    (StoryboardRequest(prompt="ok", scene_count=1000), "scene_count"),
    (StoryboardRequest(prompt="ok", scene_count=-1), "scene_count"),
    (StoryboardRequest(prompt="ok", duration_s=0.5), "duration_s"),
    (StoryboardRequest(prompt="ok", duration_s=4000), "duration_s"),
    (StoryboardRequest(prompt="ok", duration_s=float("nan")), "duration_s"),
    (StoryboardRequest(prompt="ok", style="s" * 201), "style"),
])
def test_bad_requests_name_the_field(request_, field):
    assert set(violations(request_)) == {field}


def test_every_bad_field_is_reported_at_once():
    found = violations(StoryboardRequest(prompt="", scene_count=61, duration_s=-3))
    assert set(found) == {"prompt", "scene_count", "duration_s"}
    assert "got 61" in found["scene_count"]


def test_the_prompt_limit_is_configurable():
    writer = StoryboardWriter(StoryboardSettings(max_prompt_chars=10))
    assert "at most 10" in violations(StoryboardRequest(prompt="eleven char"), writer)["prompt"]


def test_zero_means_the_defaults():
    storyboard = WRITER.create(StoryboardRequest(prompt="a quiet harbour", scene_count=0, duration_s=0))
    assert len(storyboard.scenes) == 5 and storyboard.total_duration_s == 60.0


def test_music_context_is_checked_field_by_field():
    analysis = MusicAnalysis(duration_s=30, tempo_bpm=120, beat_times_s=[0.5, 0.2], energy=[0.1, 1.5],
                             energy_hop_s=0.5)
    found = violations(StoryboardRequest(prompt="", music=MusicContext(analysis=analysis)))
    assert set(found) == {"music_context.analysis.beat_times_s[1]", "music_context.analysis.energy[1]"}
    found = violations(StoryboardRequest(prompt="", music=MusicContext(analysis=MusicAnalysis())))
    assert set(found) == {"music_context.analysis.duration_s"}


def client_storyboard() -> Storyboard:
    storyboard = Storyboard(title="Mine", prompt="my film")
    for i, duration in enumerate((4.0, 5.5, 2.5)):
        scene = Scene(description=f"scene {i} happens", duration_s=duration)
        scene.transition = Transition.CUT if i == 1 else Transition.CROSSFADE
        storyboard.scenes.append(scene)
    return storyboard


def test_a_client_storyboard_is_normalised_without_generation():
    storyboard = WRITER.create(StoryboardRequest(storyboard=client_storyboard(), seed=3))
    assert [s.start_s for s in storyboard.scenes] == [0.0, 4.0, 9.5]
    assert storyboard.total_duration_s == 12.0
    assert [s.index for s in storyboard.scenes] == [0, 1, 2]
    first = storyboard.scenes[0]
    assert first.description == "scene 0 happens" and first.visual_prompt == "scene 0 happens"
    assert first.title == "Scene 1" and first.negative_prompt and first.shot.camera_pose.zoom == 1.0
    assert storyboard.scenes[1].transition_s == 0.0 and first.transition_s > 0
    assert storyboard.provenance.backend is None and storyboard.provenance.model == "client-supplied"


def test_a_client_storyboard_keeps_its_own_length_and_reports_a_differing_spec():
    storyboard = WRITER.create(StoryboardRequest(storyboard=client_storyboard(), scene_count=5, duration_s=60))
    assert len(storyboard.scenes) == 3
    assert [w.code for w in storyboard.provenance.warnings] == ["storyboard_spec_ignored"] * 2


def test_a_bad_client_storyboard_names_each_field():
    storyboard = client_storyboard()
    storyboard.scenes[2].duration_s = 0
    storyboard.scenes[1].description = ""
    storyboard.scenes[0].shot.camera_pose.pan = 3
    storyboard.scenes[0].transition_s = 99
    storyboard.total_duration_s = 50
    found = violations(StoryboardRequest(storyboard=storyboard))
    assert set(found) == {
        "storyboard.scenes[2].duration_s", "storyboard.scenes[1].description",
        "storyboard.scenes[0].shot.camera_pose.pan", "storyboard.scenes[0].transition_s",
    }
    ok_scenes = client_storyboard()
    ok_scenes.total_duration_s = 50
    assert set(violations(StoryboardRequest(storyboard=ok_scenes))) == {"storyboard.total_duration_s"}
    empty = Storyboard(title="none")
    assert set(violations(StoryboardRequest(storyboard=empty))) == {"storyboard.scenes"}
    too_many = copy.deepcopy(client_storyboard())
    too_many.scenes = [Scene(description="x", duration_s=1.0) for _ in range(61)]
    assert set(violations(StoryboardRequest(storyboard=too_many))) == {"storyboard.scenes"}
