"""The per-job event journal behind WatchJob: contiguous sequence numbers a client can resume from.

Every visible change of a job (state, stage, progress, status line, counters, new warnings) is
appended to the job's journal with the next sequence number (1, 2, 3, ... per job, no holes). The
journal travels in the job's document, so every replica and every watcher sees the same numbers,
and a watcher that fell behind or reconnected replays exactly what it missed
(`WatchJob(after_sequence=N)`). Only the last `JOURNAL_LIMIT` events are kept; a watcher further
behind is told how many it missed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from gateway.model import Job

JOURNAL_LIMIT = 512
# Compared to tell a change a watcher can see from one it cannot (a webhook attempt, a lease renewal).
_VISIBLE = ("state", "stage", "progress", "stage_progress", "eta_s", "message", "keyframes_done",
            "keyframes_total", "frames_done", "frames_total", "warnings_end")


@dataclass(frozen=True)
class JobEventRecord:
    sequence: int
    time: float
    state: str
    stage: str
    progress: float
    stage_progress: float
    eta_s: float
    message: str
    keyframes_done: int
    keyframes_total: int
    frames_done: int
    frames_total: int
    # job.warnings[warnings_start:warnings_end] were raised with this event.
    warnings_start: int
    warnings_end: int

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> JobEventRecord:
        return cls(**{k: data[k] for k in cls.__dataclass_fields__})


def last_sequence(job: Job) -> int:
    return job.events[-1]["sequence"] if job.events else 0


def record_event(job: Job, eta_s: float) -> JobEventRecord | None:
    """Append the job's current state to its journal; None when nothing a watcher sees has changed."""
    previous = job.events[-1] if job.events else None
    warnings_start = previous["warnings_end"] if previous else 0
    event = JobEventRecord(
        sequence=last_sequence(job) + 1,
        time=job.update_time,
        state=job.state.value,
        stage=job.stage.value,
        progress=job.progress,
        stage_progress=job.stage_progress,
        eta_s=eta_s,
        message=job.message,
        keyframes_done=job.keyframes_done,
        keyframes_total=job.keyframes_total,
        frames_done=job.frames_done,
        frames_total=job.frames_total,
        warnings_start=min(warnings_start, len(job.warnings)),
        warnings_end=len(job.warnings),
    )
    data = asdict(event)
    if previous is not None and all(previous.get(k) == data[k] for k in _VISIBLE):
        return None
    job.events.append(data)
    if len(job.events) > JOURNAL_LIMIT:
        del job.events[: len(job.events) - JOURNAL_LIMIT]
    return event


def events_after(job: Job, after: int) -> tuple[list[JobEventRecord], int]:
    """(the journal's events with sequence > `after`, how many of those are no longer kept)."""
    kept = [JobEventRecord.from_dict(e) for e in job.events if e["sequence"] > after]
    missed = kept[0].sequence - after - 1 if kept else max(last_sequence(job) - after, 0)
    return kept, max(missed, 0)
