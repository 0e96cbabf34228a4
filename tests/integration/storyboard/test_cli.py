"""`cinesynth storyboard` against a real Storyboard server (in a background thread, port 0)."""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from client.cli import main as cli
from services.storyboard.main import build_service
from services.storyboard.settings import StoryboardSettings
from tests.support import serve_in_process, test_settings
from tests.unit.storyboard.checks import assert_complete_json, content_words, jaccard
from tests.unit.storyboard.test_planner import UNLIKE_PROMPTS

ACCEPTANCE_PROMPT = "a lighthouse keeper's last night before the storm"


class BackgroundServer:
    """The real service on its own event loop in a thread, so synchronous CLI code can call it."""

    def __init__(self, settings: StoryboardSettings) -> None:
        self.settings = settings
        self.port = 0
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=lambda: asyncio.run(self._serve()), daemon=True)

    async def _serve(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        async with serve_in_process(build_service(self.settings), self.settings) as runtime:
            self.port = runtime.port
            self._ready.set()
            await self._stop.wait()

    def __enter__(self) -> BackgroundServer:
        self._thread.start()
        assert self._ready.wait(30), "storyboard server did not start"
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._loop is not None and self._stop is not None
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(10)


@pytest.fixture(scope="module")
def server() -> Iterator[BackgroundServer]:
    with BackgroundServer(test_settings(StoryboardSettings)) as running:  # type: ignore[arg-type]
        yield running


@pytest.fixture
def target(server, monkeypatch) -> str:
    address = f"127.0.0.1:{server.port}"
    monkeypatch.setenv("CINESYNTH_STORYBOARD_TARGET", address)
    return address


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli(["storyboard", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_acceptance_command_prints_a_complete_seven_scene_storyboard(target, capsys):
    code, out, _ = run_cli(capsys, ACCEPTANCE_PROMPT, "--scenes", "7", "--duration", "90", "--json")
    assert code == 0
    storyboard = json.loads(out)["storyboard"]
    assert len(storyboard["scenes"]) == 7
    assert sum(s["duration_s"] for s in storyboard["scenes"]) == 90.0
    assert_complete_json(storyboard)
    assert storyboard["provenance"]["backend"] == "STORYBOARD_BACKEND_PLANNER"


def test_the_installed_command_works_end_to_end(target):
    exe = Path(sys.executable).with_name("cinesynth")
    command = [str(exe)] if exe.exists() else [sys.executable, "-m", "client.cli"]
    result = subprocess.run(
        [*command, "storyboard", ACCEPTANCE_PROMPT, "--scenes", "7", "--duration", "90", "--json"],
        capture_output=True, text=True, timeout=60, env={**os.environ, "CINESYNTH_STORYBOARD_TARGET": target},
    )
    assert result.returncode == 0, result.stderr
    scenes = json.loads(result.stdout)["storyboard"]["scenes"]
    assert len(scenes) == 7 and sum(s["duration_s"] for s in scenes) == 90.0


def test_ten_unlike_prompts_name_their_subjects_and_share_little_vocabulary(target, capsys):
    vocab = {}
    for prompt, subjects in UNLIKE_PROMPTS.items():
        code, out, _ = run_cli(capsys, prompt, "--scenes", "5", "--duration", "60", "--json")
        assert code == 0
        scenes = json.loads(out)["storyboard"]["scenes"]
        visuals = " ".join(s["visual_prompt"] for s in scenes).lower()
        assert all(subject in visuals for subject in subjects), prompt
        # Subject first: each visual prompt opens with the prompt's own words.
        assert all(content_words(s["visual_prompt"].split(", ")[0]) <= content_words(prompt) for s in scenes), prompt
        # What happens is told in the prompt's words, not a template's shared vocabulary.
        vocab[prompt] = content_words(" ".join(s["description"] for s in scenes))
    scores = [jaccard(vocab[a], vocab[b]) for a, b in itertools.combinations(vocab, 2)]
    assert max(scores) < 0.25 and sum(scores) / len(scores) < 0.15


@pytest.mark.parametrize(("argv", "field"), [
    (["", "--scenes", "5"], "prompt"),
    (["x" * 4001], "prompt"),
    (["a storm", "--scenes", "1000"], "scene_count"),
    (["a storm", "--scenes", "0"], "scene_count"),
    (["a storm", "--duration", "-1"], "duration_s"),
])
def test_invalid_input_exits_non_zero_with_the_servers_message(target, capsys, argv, field):
    code, out, err = run_cli(capsys, *argv)
    assert code != 0 and out == ""
    assert "INVALID_ARGUMENT" in err and f"{field}:" in err


def test_human_readable_output_and_other_options(target, capsys):
    code, out, _ = run_cli(capsys, "a robot learning to paint", "--scenes", "3", "--seed", "7", "--style", "anime")
    assert code == 0
    assert "3 scenes" in out and "1. " in out and "narration:" in out
    code, out, _ = run_cli(capsys, "a robot learning to paint", "--scenes", "3", "--seed", "7", "--style", "anime",
                           "--json")
    storyboard = json.loads(out)["storyboard"]
    assert storyboard["seed"] == "7" and storyboard["style"] == "anime"
    assert all("anime" in s["visual_prompt"] for s in storyboard["scenes"])


def test_a_storyboard_file_is_validated_by_the_service(target, capsys, tmp_path):
    path = tmp_path / "mine.json"
    path.write_text(json.dumps({"storyboard": {"title": "Mine", "scenes": [
        {"description": "a door opens", "duration_s": 2},
        {"description": "light floods in", "duration_s": 0},
    ]}}))
    code, _, err = run_cli(capsys, "--from-json", str(path))
    assert code != 0 and "storyboard.scenes[1].duration_s" in err
    path.write_text(json.dumps({"title": "Mine", "scenes": [{"description": "a door opens", "duration_s": 2}]}))
    code, out, _ = run_cli(capsys, "--from-json", str(path), "--json")
    assert code == 0 and json.loads(out)["storyboard"]["total_duration_s"] == 2.0


def test_an_unreachable_service_fails_cleanly(monkeypatch, capsys):
    monkeypatch.setenv("CINESYNTH_STORYBOARD_TARGET", "127.0.0.1:9")
    code, _, err = run_cli(capsys, "a storm", "--timeout", "2")
    assert code != 0 and "UNAVAILABLE" in err
