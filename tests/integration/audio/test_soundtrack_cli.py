"""`cinesynth soundtrack` against a real `cinesynth-audio` process on a free loopback port."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import soundfile as sf
from google.protobuf import json_format

from client import cli
from services.common import pb
from tests.support import port_zero_env, reported_ports, until_serving

common = pb.common_pb2
ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def audio_server(tmp_path: Path) -> Iterator[tuple[str, str]]:
    store = f"file://{tmp_path / 'store'}"
    port_file = tmp_path / "audio.ports.json"
    env = {
        **port_zero_env(os.environ, port_file), "CINESYNTH_ARTIFACT_STORE": store, "CINESYNTH_LOG_FORMAT": "text",
        "HF_HUB_OFFLINE": "1",
    }
    log = tmp_path / "audio.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "services.audio.main"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )
    try:
        try:
            target = f"127.0.0.1:{reported_ports(proc, port_file).grpc_port}"
            asyncio.run(until_serving(target, proc))
        except (AssertionError, RuntimeError, TimeoutError) as exc:
            raise RuntimeError(f"audio server did not start: {exc}\n{log.read_text()[-2000:]}") from exc
        yield target, store
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=60)
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
