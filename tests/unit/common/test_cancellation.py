"""The shared cancellation mechanism: a cancelled call's thread stops at its token and its ffmpeg dies."""

from __future__ import annotations

import asyncio
import threading

import psutil
import pytest

from services.common import cancellation, ffmpeg
from tests.support import until


def test_a_token_runs_its_callbacks_once_and_nested_scopes_follow_their_parent() -> None:
    parent, child = cancellation.CancelToken(), cancellation.CancelToken()
    calls: list[str] = []
    parent.on_cancel(lambda: calls.append("parent"))
    unregistered = parent.on_cancel(lambda: calls.append("never"))
    unregistered()
    with cancellation.scope(parent), cancellation.scope(child):
        assert cancellation.current() is child
        parent.cancel("client went away")
        parent.cancel("again")
        assert child.cancelled and child.reason == "client went away"
        with pytest.raises(cancellation.WorkCancelled):
            cancellation.check()
    assert calls == ["parent"]
    late: list[int] = []
    parent.on_cancel(lambda: late.append(1))  # already cancelled: runs at once
    assert late == [1]
    assert not cancellation.current().cancelled  # outside any scope: never cancelled


async def test_cancelling_the_awaiting_task_kills_ffmpeg_and_stops_the_thread() -> None:
    argv = [ffmpeg.ffmpeg_path(), "-nostdin", "-hide_banner", "-loglevel", "error",
            "-f", "lavfi", "-i", "sine=frequency=440:duration=3600", "-f", "null", "-"]
    finished = threading.Event()
    outcome: list[BaseException] = []

    def work() -> None:
        try:
            ffmpeg.run(argv, timeout=3600)
        except BaseException as exc:
            outcome.append(exc)
            raise
        finally:
            finished.set()

    task = asyncio.ensure_future(cancellation.to_thread(work))

    def ffmpeg_children() -> list[psutil.Process]:
        return [p for p in psutil.Process().children() if "ffmpeg" in p.name()]

    await until(lambda: bool(ffmpeg_children()))
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    # to_thread waited for the thread: it has stopped, ffmpeg is gone, and it ended as cancelled.
    assert finished.is_set() and not ffmpeg_children()
    assert isinstance(outcome[0], cancellation.WorkCancelled)


def test_work_submitted_to_a_pool_is_cancelled_with_the_call_that_submitted_it() -> None:
    from concurrent.futures import ThreadPoolExecutor

    token = cancellation.CancelToken()
    with cancellation.scope(token), ThreadPoolExecutor(1) as pool:
        carried = cancellation.submit(pool, cancellation.current).result()
        plain = pool.submit(cancellation.current).result()
    assert carried is token, "the pool thread works under the submitting call's token"
    assert plain is not token  # what a plain submit would have run under: nothing can cancel it
