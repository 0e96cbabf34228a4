"""Per-job scratch folders that a killed process does not leave behind for ever.

    with job_workdir("cinesynth-audio") as tmp: ...      # removed on success, error and cancellation
    sweep_stale_workdirs("cinesynth-audio")              # at start-up: folders of dead processes

A folder's name carries the pid of the process that made it, so the sweep removes only folders whose
process is gone (a SIGKILL, an OOM kill), never those of a neighbour serving from the same /tmp.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

log = logging.getLogger(__name__)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextlib.contextmanager
def job_workdir(prefix: str, parent: str | os.PathLike[str] | None = None) -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix=f"{prefix}-{os.getpid()}-", dir=parent) as tmp:
        yield Path(tmp)


def sweep_stale_workdirs(prefix: str, parent: str | os.PathLike[str] | None = None) -> list[Path]:
    """Remove `prefix-PID-*` folders of processes that no longer run; returns what was removed."""
    root = Path(parent or tempfile.gettempdir())
    removed: list[Path] = []
    for folder in root.glob(f"{prefix}-*-*"):
        pid_text = folder.name[len(prefix) + 1 :].split("-", 1)[0]
        if not folder.is_dir() or not pid_text.isdigit() or int(pid_text) == os.getpid() or _alive(int(pid_text)):
            continue
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder)
    if removed:
        log.info("removed scratch folders of dead processes", extra={"count": len(removed), "prefix": prefix})
    return removed
