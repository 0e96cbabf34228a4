"""The one place that runs ffmpeg/ffprobe. Commands are argv lists built by pure functions elsewhere.

ffmpeg comes from PATH (Debian's, with ffprobe) or from the `imageio-ffmpeg` wheel, so nobody needs
root. `CINESYNTH_FFMPEG` / `CINESYNTH_FFPROBE` override both.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

from services.common import cancellation
from services.common.errors import FailedPrecondition, Internal

STDERR_TAIL = 4000


class FFmpegError(Internal):
    """ffmpeg exited non-zero; carries the tail of its stderr."""

    def __init__(self, argv: Sequence[str], returncode: int, stderr: str) -> None:
        self.argv = list(argv)
        self.returncode = returncode
        self.stderr = stderr
        tail = stderr.strip()[-STDERR_TAIL:]
        super().__init__(f"{Path(argv[0]).name} exited with {returncode}: {tail}")


@cache
def ffmpeg_path() -> str:
    explicit = os.environ.get("CINESYNTH_FFMPEG")
    if explicit:
        return explicit
    found = shutil.which("ffmpeg")
    if found:
        return found
    try:
        import imageio_ffmpeg
    except ImportError as exc:
        raise FailedPrecondition("ffmpeg not found: install it or the imageio-ffmpeg package") from exc
    return imageio_ffmpeg.get_ffmpeg_exe()


@cache
def ffprobe_path() -> str | None:
    """ffprobe when available (the imageio-ffmpeg wheel has none)."""
    explicit = os.environ.get("CINESYNTH_FFPROBE")
    if explicit:
        return explicit
    found = shutil.which("ffprobe")
    if found:
        return found
    sibling = Path(ffmpeg_path()).with_name("ffprobe")
    return str(sibling) if sibling.exists() else None


def run(argv: Sequence[str], *, input_bytes: bytes | None = None, timeout: float | None = None) -> str:
    """Run a command synchronously; returns stdout, raises FFmpegError with stderr on failure.

    The process is killed when the current work is cancelled (services.common.cancellation), and
    then WorkCancelled is raised, not an ffmpeg failure.
    """
    cancellation.check()
    proc = subprocess.Popen(
        list(argv), stdin=subprocess.PIPE if input_bytes is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    with cancellation.kill_on_cancel(proc) as token:
        try:
            stdout, stderr = proc.communicate(input_bytes, timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            cancellation.kill(proc)
            _, late = proc.communicate()
            stderr_text = (exc.stderr or late or b"").decode(errors="replace")
            raise FFmpegError(argv, -1, f"timed out after {timeout} s\n{stderr_text}") from exc
        except BaseException:
            cancellation.kill(proc)
            proc.wait()
            raise
    token.check()
    if proc.returncode != 0:
        raise FFmpegError(argv, proc.returncode, stderr.decode(errors="replace"))
    return stdout.decode(errors="replace")


async def run_async(argv: Sequence[str], *, timeout: float | None = None) -> str:
    """Run a command without blocking the event loop; kills it on cancellation or timeout."""
    proc = await asyncio.create_subprocess_exec(
        *argv, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    try:
        stdout, stderr = await asyncio.wait_for(proc.communicate(), timeout)
    except (asyncio.CancelledError, TimeoutError):
        proc.kill()
        await proc.wait()
        raise
    if proc.returncode != 0:
        raise FFmpegError(argv, proc.returncode or -1, stderr.decode(errors="replace"))
    return stdout.decode(errors="replace")


def probe_argv(path: str | os.PathLike[str]) -> list[str]:
    probe = ffprobe_path()
    if probe is None:
        raise FailedPrecondition("ffprobe not found (install ffmpeg from your distribution)")
    return [probe, "-v", "error", "-print_format", "json", "-show_format", "-show_streams", str(path)]


def probe(path: str | os.PathLike[str], *, count_frames: bool = False) -> dict[str, Any]:
    """ffprobe's JSON description of a media file."""
    argv = probe_argv(path)
    if count_frames:
        argv.insert(-1, "-count_frames")
    return json.loads(run(argv, timeout=120))
