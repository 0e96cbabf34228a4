"""The CLI's progress display on a terminal (rich) and in logs (plain lines), without a gateway."""

from __future__ import annotations

import io

from client.commands.common import ProgressView, follow, job_summary
from services.common import pb

video = pb.video_pb2


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def events() -> list[video.WatchJobResponse]:
    job = video.Job(name="jobs/abc", state=video.JOB_STATE_SUCCEEDED, stage=video.JOB_STAGE_DONE, progress=1.0)
    steps = [
        (video.JOB_STAGE_STORYBOARD, 0.0, "writing the storyboard"),
        (video.JOB_STAGE_KEYFRAMES, 0.5, "keyframe 1/2 rendered"),
        (video.JOB_STAGE_SOUNDTRACK, 0.0, "2/2 keyframes rendered"),
        (video.JOB_STAGE_COMPOSE, 0.5, "composing: frame 12/24"),
    ]
    out = [
        video.WatchJobResponse(
            event=video.JobEvent(
                job_name="jobs/abc", sequence=i + 1, state=video.JOB_STATE_RUNNING, stage=stage,
                stage_progress=within, progress=i / 5, message=message,
                warnings=[pb.common_pb2.Warning(code="music_fallback", message="procedural", stage="soundtrack")]
                if stage == video.JOB_STAGE_SOUNDTRACK else [],
            )
        )
        for i, (stage, within, message) in enumerate(steps)
    ]
    out.append(
        video.WatchJobResponse(
            event=video.JobEvent(
                job_name="jobs/abc", sequence=9, state=video.JOB_STATE_SUCCEEDED, stage=video.JOB_STAGE_DONE,
                progress=1.0, job=job,
            )
        )
    )
    return out


def test_live_view_on_a_terminal() -> None:
    screen = Terminal()
    with ProgressView(False, stream=screen) as view:
        job = follow(events(), view)
    assert job is not None and job.state == video.JOB_STATE_SUCCEEDED
    text = screen.getvalue()
    assert "keyframes" in text and "compose" in text and "music_fallback" in text


def test_plain_lines_when_not_a_terminal() -> None:
    log = io.StringIO()
    with ProgressView(False, stream=log) as view:
        follow(events(), view)
    lines = log.getvalue().splitlines()
    assert lines[0].startswith("[storyboard]") and any(line.startswith("[compose   ]") for line in lines)
    assert any("warning [soundtrack] music_fallback" in line for line in lines)


def test_summary_names_failures() -> None:
    job = video.Job(name="jobs/x", state=video.JOB_STATE_FAILED, stage=video.JOB_STAGE_KEYFRAMES)
    job.error.code, job.error.message = 14, "keyframes: worker unavailable"
    assert "error: UNAVAILABLE: keyframes: worker unavailable" in job_summary(job)
