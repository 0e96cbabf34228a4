"""Streaming raw frames into one ffmpeg process, and the producer thread that feeds it.

`FFmpegPipe` is the one place in the compositor that runs a streaming ffmpeg (services/common/
ffmpeg.py runs commands to completion only); it is written to move into services/common as is.
Its failures raise `FFmpegError` carrying ffmpeg's stderr.
"""

from __future__ import annotations

import collections
import contextlib
import os
import queue
import subprocess
import threading
from collections.abc import Callable, Iterable, Sequence
from types import TracebackType
from typing import Any

from services.common import cancellation
from services.common.errors import Cancelled
from services.common.ffmpeg import FFmpegError

STDERR_KEEP = 64 * 1024
PIPE_BYTES = 1024 * 1024  # a frame or more per write wakes ffmpeg less often than the 64 KiB default
F_SETPIPE_SZ = 1031  # Linux fcntl


class FFmpegPipe:
    """ffmpeg reading raw frames from its stdin.

        with FFmpegPipe(argv) as pipe:
            for frame in frames: pipe.write(frame)
            pipe.finish(timeout=600)   # closes stdin, waits, raises FFmpegError on failure

    Leaving the block without `finish` (an exception, a cancellation) kills ffmpeg.
    """

    def __init__(self, argv: Sequence[str], *, cwd: str | os.PathLike[str] | None = None) -> None:
        self.argv = list(argv)
        self._stderr: collections.deque[bytes] = collections.deque()
        self._stderr_size = 0
        self.proc = subprocess.Popen(
            self.argv, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, bufsize=0,
            cwd=cwd,
        )
        assert self.proc.stdin is not None and self.proc.stderr is not None
        self._stdin_fd = self.proc.stdin.fileno()
        with contextlib.suppress(OSError, ImportError):
            import fcntl

            fcntl.fcntl(self._stdin_fd, F_SETPIPE_SZ, PIPE_BYTES)
        # Drain stderr continuously: a chatty ffmpeg must never block on a full stderr pipe.
        self._reader = threading.Thread(target=self._read_stderr, name="ffmpeg-stderr", daemon=True)
        self._reader.start()
        self.finished = False
        # A cancelled call kills the encoder at once (not after the frame being written).
        self._token = cancellation.current()
        self._unregister = self._token.on_cancel(lambda: cancellation.kill(self.proc))

    def _read_stderr(self) -> None:
        stream = self.proc.stderr
        assert stream is not None
        for chunk in iter(lambda: stream.read(4096), b""):
            self._stderr.append(chunk)
            self._stderr_size += len(chunk)
            while self._stderr_size > STDERR_KEEP and len(self._stderr) > 1:
                self._stderr_size -= len(self._stderr.popleft())

    @property
    def stderr(self) -> str:
        return b"".join(self._stderr).decode(errors="replace")

    def write(self, data: Any) -> None:
        """Write one buffer (bytes, memoryview or a C-contiguous numpy array) completely."""
        view = memoryview(data).cast("B")
        try:
            while view:
                written = os.write(self._stdin_fd, view)
                view = view[written:]
        except (BrokenPipeError, ConnectionResetError):
            # ffmpeg exited early: its stderr says why (or it was killed because the call was cancelled).
            self._collect(timeout=30)
            self._token.check()
            raise self._error() from None

    def finish(self, timeout: float | None = None) -> None:
        """Close stdin and wait for ffmpeg; FFmpegError (with stderr) when it fails."""
        self._close_stdin()
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise FFmpegError(self.argv, -1, f"timed out after {timeout} s\n{self.stderr}") from None
        self._reader.join(timeout=10)
        self.finished = True
        self._unregister()
        self._token.check()
        if self.proc.returncode != 0:
            raise self._error()

    def kill(self) -> None:
        self._unregister()
        self._close_stdin()
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self._reader.join(timeout=10)

    def _collect(self, timeout: float) -> None:
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self._reader.join(timeout=10)

    def _error(self) -> FFmpegError:
        code = self.proc.returncode if self.proc.returncode is not None else -1
        return FFmpegError(self.argv, code, self.stderr or "(no stderr)")

    def _close_stdin(self) -> None:
        stdin = self.proc.stdin
        if stdin is not None and not stdin.closed:
            with contextlib.suppress(BrokenPipeError, OSError):
                stdin.close()

    def __enter__(self) -> FFmpegPipe:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if not self.finished:
            self.kill()


_END = object()


class _Failed:
    def __init__(self, error: BaseException) -> None:
        self.error = error


def pump(
    frames: Iterable[Any],
    write: Callable[[Any], None],
    *,
    depth: int = 4,
    on_frame: Callable[[int, Any], None] | None = None,
    cancel: threading.Event | None = None,
) -> int:
    """Render in a producer thread while the calling thread writes, overlapping the two.

    At most `depth` frames wait in the queue, so a renderer reusing a ring of `depth + 2` buffers
    never overwrites a frame before it was written. `on_frame(count, frame)` runs after each write.
    Returns the number of frames written; producer errors are re-raised here.
    """
    handoff: queue.Queue[Any] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item: Any) -> bool:
        while not stop.is_set():
            try:
                handoff.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for frame in frames:
                if not put(frame):
                    return
            put(_END)
        except BaseException as exc:  # handed to the writer thread, which re-raises it
            put(_Failed(exc))

    producer = threading.Thread(target=produce, name="frame-renderer", daemon=True)
    producer.start()
    count = 0
    try:
        while True:
            item = handoff.get()
            if item is _END:
                return count
            if isinstance(item, _Failed):
                raise item.error
            if cancel is not None and cancel.is_set():
                raise Cancelled("compose cancelled")
            write(item)
            count += 1
            if on_frame is not None:
                on_frame(count, item)
    finally:
        stop.set()
        producer.join()
