"""Scratch folders: removed with the job, and those of killed processes swept at start-up."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from services.common.workdirs import job_workdir, sweep_stale_workdirs


def test_a_dead_process_folder_is_swept_and_live_ones_are_kept(tmp_path: Path) -> None:
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True,
                          check=True)
    stale = tmp_path / f"cinesynth-audio-{dead.stdout.strip()}-abc"
    (stale / "stems").mkdir(parents=True)
    (stale / "stems" / "voice.wav").write_bytes(b"x" * 1000)
    other_service = tmp_path / f"cinesynth-compose-{dead.stdout.strip()}-abc"
    other_service.mkdir()
    with job_workdir("cinesynth-audio", tmp_path) as mine:
        assert sweep_stale_workdirs("cinesynth-audio", tmp_path) == [stale]
        assert mine.exists() and other_service.exists() and not stale.exists()
    assert not mine.exists()
