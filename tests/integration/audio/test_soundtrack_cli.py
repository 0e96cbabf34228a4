"""`cinesynth soundtrack` against a real `cinesynth-audio` process on a free loopback port."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import soundfile as sf
from google.protobuf import json_format

from gateway import cli
from services.common import pb
from services.common.server import SERVING, check_health

common = pb.common_pb2
ROOT = Path(__file__).resolve().parents[3]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def audio_server(tmp_path: Path) -> Iterator[tuple[str, str]]:
    port = free_port()
    store = f"file://{tmp_path / 'store'}"
    env = {
        **os.environ, "CINESYNTH_ARTIFACT_STORE": store, "CINESYNTH_METRICS_PORT": "0", "CINESYNTH_LOG_FORMAT": "text",
        "HF_HUB_OFFLINE": "1",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "services.audio.main", "--port", str(port)], cwd=ROOT, env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    target = f"127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while asyncio.run(check_health(target, timeout=1.0)) != SERVING:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"audio server did not start: {proc.stderr.read().decode()[-2000:]}")  # type: ignore[union-attr]
            time.sleep(0.3)
        yield target, store
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def storyboard_json(path: Path) -> Path:
    board = common.Storyboard(
        title="Harbour",
        music=common.MusicBrief(mood="calm", genre="ambient", query="calm ambient harbour"),
        scenes=[
            common.Scene(index=0, narration="The harbour wakes before the sun.", duration_s=4.0, start_s=0.0),
            common.Scene(index=1, narration="Fishing boats slip out. The gulls follow.", duration_s=4.0, start_s=4.0),
            common.Scene(index=2, narration="By noon, the nets are full.", duration_s=4.0, start_s=8.0),
        ],
        total_duration_s=12.0,
        seed=42,
    )
    path.write_text(json_format.MessageToJson(board, preserving_proto_field_name=True))
    return path


def test_cli_writes_soundtrack_and_captions(
    audio_server: tuple[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    target, store = audio_server
    monkeypatch.setenv("CINESYNTH_AUDIO_TARGET", target)
    monkeypatch.setenv("CINESYNTH_ARTIFACT_STORE", store)
    out = tmp_path / "out"
    board = storyboard_json(tmp_path / "board.json")
    code = cli.main(["soundtrack", str(board), "--out", str(out), "--timeout", "180"])
    printed = capsys.readouterr().out
    assert code == 0, printed
    info = sf.info(str(out / "soundtrack.wav"))
    assert (info.frames, info.samplerate, info.channels) == (12 * 48000, 48000, 2)
    srt = (out / "captions.srt").read_text()
    vtt = (out / "captions.vtt").read_text()
    assert srt.count(" --> ") == 4 and vtt.startswith("WEBVTT") and vtt.count(" --> ") == 4
    assert "The gulls follow." in srt
    assert "duration    12.00 s" in printed and "voice       piper" in printed and "procedural" in printed

    # A bad storyboard is refused by the service with the field named.
    bad = tmp_path / "bad.json"
    bad.write_text('{"scenes": [{"index": 0, "narration": "x", "duration_s": -3}]}')
    assert cli.main(["soundtrack", str(bad), "--out", str(out)]) == 1
    assert "scenes[0].duration_s" in capsys.readouterr().err
