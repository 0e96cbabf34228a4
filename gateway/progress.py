"""A job's progress and ETA, weighted by what each stage is expected to cost on the job's tier.

Each stage's cost is `units x seconds per unit`: keyframes per keyframe (by tier: a draft card is
instant, an SDXL keyframe is not), the soundtrack per second of film, the compose per megapixel-frame,
the storyboard and the music analysis per job. The seconds per unit start from priors and are then
*measured*: every finished stage feeds an exponentially weighted average per (stage, tier) in this
gateway process, so the weights follow the workers this gateway really has.

Progress is the expected work done over the expected total (never going back). The ETA walks the
critical path (analysis -> storyboard -> max(keyframes, soundtrack) -> compose); within a running stage
the rate observed so far takes over from the prior as the stage advances. Time in the queue is not
part of the ETA (it depends on other jobs).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from gateway.model import Job, Stage, now

# Seconds per unit before anything is measured. Draft/compose/soundtrack: the local CPU stack
# (five-scene 60 s draft at 768x432: keyframes ~0.5 s in all, compose ~35 s, soundtrack a few s);
# turbo/standard/ultra keyframes: one GPU image (1-4, ~30 and ~40 SDXL steps).
PRIOR_UNIT_SECONDS: dict[tuple[str, str], float] = {
    (Stage.ANALYZE_MUSIC, ""): 5.0,
    (Stage.STORYBOARD, ""): 2.0,
    (Stage.KEYFRAMES, "draft"): 0.1,
    (Stage.KEYFRAMES, "turbo"): 1.0,
    (Stage.KEYFRAMES, "standard"): 6.0,
    (Stage.KEYFRAMES, "ultra"): 15.0,
    (Stage.SOUNDTRACK, ""): 0.1,  # per second of film
    (Stage.COMPOSE, ""): 0.07,  # per megapixel-frame
}
MEASURED_WEIGHT = 0.3  # of the newest measurement in the running average
MIN_OBSERVED_FRACTION = 0.05  # below this, a stage's own rate says too little to extrapolate


def stage_units(job: Job, stage: Stage) -> float:
    spec = job.spec
    if stage == Stage.KEYFRAMES:
        return float(job.keyframes_total or spec.scene_count or 1)
    if stage == Stage.SOUNDTRACK:
        return max(spec.duration_s, 1.0)
    if stage == Stage.COMPOSE:
        frames = job.frames_total or round(max(spec.duration_s, 1.0) * spec.fps)
        return max(frames, 1) * spec.width * spec.height / 1e6
    return 1.0


def _tier_key(job: Job, stage: Stage) -> str:
    return (job.tier_used or job.spec.tier or "draft") if stage == Stage.KEYFRAMES else ""


class StageCosts:
    """Seconds per unit for each (stage, tier): priors, replaced by a running average of measurements."""

    def __init__(self, priors: dict[tuple[str, str], float] | None = None, weight: float = MEASURED_WEIGHT) -> None:
        self._priors = dict(priors or PRIOR_UNIT_SECONDS)
        self._measured: dict[tuple[str, str], float] = {}
        self._weight = weight
        self._lock = threading.Lock()

    def unit_seconds(self, stage: Stage, tier: str) -> float:
        key = (stage, tier)
        with self._lock:
            if key in self._measured:
                return self._measured[key]
        return self._priors.get(key, self._priors.get((stage, "draft"), 1.0))

    def expected_seconds(self, job: Job, stage: Stage) -> float:
        return stage_units(job, stage) * self.unit_seconds(stage, _tier_key(job, stage))

    def observe(self, job: Job, stage: Stage, seconds: float) -> None:
        """A finished stage of `job` took `seconds`."""
        units = stage_units(job, stage)
        if seconds <= 0 or units <= 0:
            return
        key, rate = (stage, _tier_key(job, stage)), seconds / units
        with self._lock:
            old = self._measured.get(key)
            self._measured[key] = rate if old is None else (1 - self._weight) * old + self._weight * rate


# Process-wide, like the metrics: what this gateway measured serves every job it runs.
STAGE_COSTS = StageCosts()


@dataclass(frozen=True)
class ProgressEstimate:
    progress: float  # 0..1 over the whole job
    stage_progress: float  # 0..1 within the reported stage
    eta_s: float  # seconds to the end (0 when terminal); queue wait excluded


def _stages(job: Job) -> list[Stage]:
    first = [Stage.ANALYZE_MUSIC] if job.source_kind == "music" else []
    return [*first, Stage.STORYBOARD, Stage.KEYFRAMES, Stage.SOUNDTRACK, Stage.COMPOSE]


def _fraction_done(job: Job, stage: Stage) -> float:
    """How much of `stage` is done, from its checkpoints (a stage without units: done or not)."""
    if stage == Stage.KEYFRAMES:
        return job.keyframes_done / job.keyframes_total if job.keyframes_total else 0.0
    if stage == Stage.COMPOSE:
        if job.composed:
            return 1.0
        return job.frames_done / job.frames_total if job.frames_total else 0.0
    done = {
        Stage.ANALYZE_MUSIC: job.music_analysis is not None,
        Stage.STORYBOARD: job.storyboard is not None,
        Stage.SOUNDTRACK: job.soundtrack is not None,
    }
    return float(done.get(stage, False))


def _remaining_seconds(job: Job, stage: Stage, expected: float, fraction: float, at: float) -> float:
    if fraction >= 1.0:
        return 0.0
    timing = job.timing(stage.value)
    elapsed = (at - timing.start_time) if timing is not None and timing.end_time is None else 0.0
    prior = max(expected * (1.0 - fraction), expected - elapsed, 0.0) if elapsed else expected * (1.0 - fraction)
    if elapsed <= 0 or fraction < MIN_OBSERVED_FRACTION:
        return prior
    observed = elapsed * (1.0 - fraction) / fraction
    # The further the stage is, the more its own rate is believed.
    return fraction * observed + (1.0 - fraction) * prior


def estimate(job: Job, costs: StageCosts = STAGE_COSTS, at: float | None = None) -> ProgressEstimate:
    at = now() if at is None else at
    if job.stage == Stage.DONE:
        return ProgressEstimate(1.0, 1.0, 0.0)
    stages = _stages(job)
    expected = {s: costs.expected_seconds(job, s) for s in stages}
    fraction = {s: _fraction_done(job, s) for s in stages}
    total = sum(expected.values()) or 1.0
    progress = sum(expected[s] * fraction[s] for s in stages) / total
    if job.terminal:
        eta = 0.0
    else:
        left = {s: _remaining_seconds(job, s, expected[s], fraction[s], at) for s in stages}
        eta = (
            left.get(Stage.ANALYZE_MUSIC, 0.0)
            + left[Stage.STORYBOARD]
            + max(left[Stage.KEYFRAMES], left[Stage.SOUNDTRACK])
            + left[Stage.COMPOSE]
        )
    within = fraction.get(job.stage, 0.0)
    return ProgressEstimate(min(max(progress, job.progress), 1.0), min(within, 1.0), round(eta, 3))
