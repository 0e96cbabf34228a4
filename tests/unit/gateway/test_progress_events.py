"""Progress weighted by each stage's expected cost on the job's tier, the ETA, the event journal, and
keyframe artifacts in scene order."""

from __future__ import annotations

import pytest

from gateway.events import JOURNAL_LIMIT, events_after, last_sequence, record_event
from gateway.model import ArtifactRecord, Job, JobState, KeyframeRecord, Stage, StageTiming, VideoSpec, new_job_id
from gateway.progress import PRIOR_UNIT_SECONDS, ProgressEstimate, StageCosts, estimate


def job(**spec: object) -> Job:
    spec_ = VideoSpec(**spec)
    return Job(id=new_job_id(), tenant="t", request_id="", request_hash="", spec=spec_, source_kind="prompt")


def at_keyframes(j: Job, done: int, total: int = 5) -> Job:
    j.state, j.stage, j.storyboard = JobState.RUNNING, Stage.KEYFRAMES, {"scenes": []}
    j.keyframes_total, j.keyframes_done = total, done
    return j


def test_draft_keyframes_weigh_little_and_compose_much() -> None:
    """The issue's case: draft keyframes moved progress 0.10 -> 0.55 in 0.5 s while compose took 35 s."""
    costs = StageCosts()
    spec = {"duration_s": 60, "scene_count": 5, "fps": 24, "width": 768, "height": 432}
    before, after = estimate(at_keyframes(job(**spec), 0), costs), estimate(at_keyframes(job(**spec), 5), costs)
    assert after.progress - before.progress < 0.05
    ultra = dict(spec, tier="ultra")
    u0, u5 = estimate(at_keyframes(job(**ultra), 0), costs), estimate(at_keyframes(job(**ultra), 5), costs)
    assert u5.progress - u0.progress > 0.5, "on ultra the keyframes are most of the work"
    assert u0.eta_s > before.eta_s


def test_measured_stage_costs_replace_the_priors() -> None:
    costs = StageCosts()
    j = job(tier="standard")
    assert costs.unit_seconds(Stage.KEYFRAMES, "standard") == PRIOR_UNIT_SECONDS[(Stage.KEYFRAMES, "standard")]
    at_keyframes(j, 5)
    costs.observe(j, Stage.KEYFRAMES, 100.0)  # 20 s a keyframe on this gateway's workers
    assert costs.unit_seconds(Stage.KEYFRAMES, "standard") == pytest.approx(20.0)
    costs.observe(j, Stage.KEYFRAMES, 50.0)
    assert 10.0 < costs.unit_seconds(Stage.KEYFRAMES, "standard") < 20.0
    assert costs.unit_seconds(Stage.KEYFRAMES, "draft") == PRIOR_UNIT_SECONDS[(Stage.KEYFRAMES, "draft")]


def test_eta_follows_the_running_stage_rate_and_is_zero_at_the_end() -> None:
    costs = StageCosts()
    j = at_keyframes(job(tier="standard", scene_count=4), 2, total=4)
    j.soundtrack = object()  # type: ignore[assignment]  # done
    j.timings = [StageTiming(Stage.KEYFRAMES.value, 1000.0)]
    slow = estimate(j, costs, at=1000.0 + 200.0)  # 100 s a keyframe observed vs a 6 s prior
    fast = estimate(j, costs, at=1000.0 + 4.0)
    assert slow.eta_s > fast.eta_s + 50
    j.stage = Stage.DONE
    assert estimate(j, costs) == ProgressEstimate(1.0, 1.0, 0.0)


def test_progress_never_goes_back() -> None:
    j = at_keyframes(job(), 1)
    j.progress = 0.9  # e.g. compose had started before a restart reset its frame count
    assert estimate(j).progress == 0.9


def test_journal_numbers_visible_changes_contiguously_and_resumes() -> None:
    j = job()
    assert record_event(j, 1.0).sequence == 1
    assert record_event(j, 1.0) is None, "nothing a watcher sees changed"
    j.message, j.progress = "storyboard", 0.1
    record_event(j, 1.0)
    j.warnings.append(object())  # type: ignore[arg-type]
    j.message = "keyframe 1/5"
    third = record_event(j, 0.5)
    assert [e["sequence"] for e in j.events] == [1, 2, 3]
    assert (third.warnings_start, third.warnings_end) == (0, 1)
    events, missed = events_after(j, 1)
    assert [e.sequence for e in events] == [2, 3] and missed == 0
    assert events_after(j, 3) == ([], 0)


def test_journal_keeps_the_last_events_and_counts_what_a_late_watcher_missed() -> None:
    j = job()
    for i in range(JOURNAL_LIMIT + 10):
        j.message = f"step {i}"
        record_event(j, 0.0)
    assert len(j.events) == JOURNAL_LIMIT and last_sequence(j) == JOURNAL_LIMIT + 10
    events, missed = events_after(j, 5)
    assert missed == 10 - 5 and events[0].sequence == 11


def test_keyframe_artifacts_are_listed_in_scene_order() -> None:
    j = job()
    j.put_artifact(ArtifactRecord("storyboard.json", "file:///s", "application/json", 1, "x", "storyboard"))
    for index in (3, 0, 2, 1):
        art = ArtifactRecord(f"keyframes/kf-{index}.png", f"file:///{index}", "image/png", 1, "x", "keyframe")
        j.keyframes[f"kf-{index}"] = KeyframeRecord(f"kf-{index}", index, art, "m", "draft", 1, 8, 8)
        j.put_artifact(art)
    j.put_artifact(ArtifactRecord("video.mp4", "file:///v", "video/mp4", 1, "x", "video"))
    names = [a.name for a in j.artifacts_in_order()]
    assert names == ["storyboard.json", *(f"keyframes/kf-{i}.png" for i in range(4)), "video.mp4"]
