"""The `cinesynth` CLI against an in-process gateway (the CLI's blocking client runs in a thread)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from client import cli
from services.common import pb
from tests.integration.gateway.conftest import Gateway
from tests.integration.gateway.doubles import MP4_BYTES, Doubles

video = pb.video_pb2


async def run_cli(gateway: Gateway, *argv: str) -> int:
    target = f"127.0.0.1:{gateway.runtime.port}"
    command, *rest = argv
    return await asyncio.to_thread(cli.main, [command, "--gateway", target, *rest])


async def test_generate_follows_progress_and_downloads(
    gateway: Gateway, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, board = tmp_path / "film.mp4", tmp_path / "board.json"
    code = await run_cli(
        gateway, "generate", "a fox crosses a frozen river", "--duration", "12", "--scenes", "3", "--seed", "5",
        "--aspect", "9:16", "--tier", "draft", "--voice", "piper", "--music", "procedural", "--label", "run=cli",
        "--out", str(out), "--storyboard-out", str(board), "--request-id", "cli-req-1",
    )
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert out.read_bytes() == MP4_BYTES
    assert len(json.loads(board.read_text())["scenes"]) == 3
    assert "[keyframes " in captured.err and "[compose   ]" in captured.err, "a progress line per stage"
    assert str(out) in captured.out

    # status / list / download / watch on the finished job, as JSON and text.
    job_id = (await gateway.stub.ListJobs(video.ListJobsRequest())).jobs[0].id
    assert await run_cli(gateway, "status", job_id, "--json") == 0
    status = json.loads(capsys.readouterr().out)
    assert status["state"] == "JOB_STATE_SUCCEEDED" and status["request_id"] == "cli-req-1"
    assert status["spec"]["aspect"] == "ASPECT_PRESET_VERTICAL" and status["labels"] == {"run": "cli"}
    assert await run_cli(gateway, "list", "--label", "run=cli", "--json") == 0
    assert [j["id"] for j in json.loads(capsys.readouterr().out)["jobs"]] == [job_id]
    assert await run_cli(gateway, "download", job_id, "--kind", "vtt", "--out", str(tmp_path / "c.vtt")) == 0
    assert (tmp_path / "c.vtt").read_text().startswith("WEBVTT")
    assert await run_cli(gateway, "download", job_id, "--all", "--out", str(tmp_path / "all")) == 0
    assert (tmp_path / "all" / "video.mp4").exists() and (tmp_path / "all" / "keyframes" / "scene-00.png").exists()
    assert await run_cli(gateway, "watch", f"jobs/{job_id}") == 0
    assert "succeeded" in capsys.readouterr().out


async def test_no_wait_cancel_and_errors(
    gateway: Gateway, doubles: Doubles, capsys: pytest.CaptureFixture[str]
) -> None:
    doubles.imagegen[0].gate = asyncio.Event()
    assert await run_cli(gateway, "generate", "slow film", "--no-wait", "--json") == 0
    job = json.loads(capsys.readouterr().out)
    assert job["state"] == "JOB_STATE_QUEUED"
    assert await run_cli(gateway, "cancel", job["id"]) == 0
    assert "cancelled" in capsys.readouterr().out
    # A failed call exits non-zero with the server's message and field violations.
    assert await run_cli(gateway, "generate", "x", "--duration", "700") == 1
    err = capsys.readouterr().err
    assert "INVALID_ARGUMENT" in err and "spec.duration_s" in err
    assert await run_cli(gateway, "status", "0" * 32) == 1
    assert "NOT_FOUND" in capsys.readouterr().err
    assert await run_cli(gateway, "watch", job["id"]) == 3, "a cancelled job exits 3"
