"""The OpenAI-compatible backend against a real HTTP server on loopback."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from services.storyboard.core import StoryboardWriter
from services.storyboard.domain import Backend, ParseOutcome, StoryboardRequest
from services.storyboard.settings import StoryboardSettings
from tests.unit.storyboard.checks import assert_complete, assert_timeline


def good_storyboard(scenes: int) -> dict:
    return {
        "title": "Neon Run",
        "logline": "A courier races across the city with a package that must not be opened.",
        "characters": [{"name": "Kai", "description": "a courier in their twenties, red helmet, black jacket"}],
        "music": {"mood": "tense", "genre": "synthwave", "tempo_bpm": 128, "query": "tense synthwave chase"},
        "scenes": [
            {
                "title": f"Beat {i + 1}",
                "description": f"Kai weaves through traffic on the motorbike, moment {i + 1} of the chase.",
                "visual_prompt": "courier on a motorbike, neon city at night, rain, motion blur",
                "narration": "Faster. Left. Right. Do not look back.",
                "duration_s": 10,
                "character": "Kai in a red helmet",
                "background": "neon streets of Tokyo, rain",
                "relation": "Kai centre frame, traffic streaming past",
                "camera": {"move": "tracking", "pan": 0.2, "tilt": 0.0, "zoom": 1.05},
                "lighting": "neon magenta and cyan, wet reflections",
                "mood": "frantic",
                "shot_type": "tracking shot",
                "transition": "cut",
            }
            for i in range(scenes)
        ],
    }


class Behaviour:
    def __init__(self) -> None:
        self.mode = "good"
        self.scenes = 3
        self.requests: list[dict] = []
        self.headers: list[dict] = []
        self.release = threading.Event()


def make_handler(behaviour: Behaviour) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            behaviour.requests.append(body)
            behaviour.headers.append(dict(self.headers))
            mode = behaviour.mode
            if mode == "500" or (mode == "500-then-good" and len(behaviour.requests) == 1):
                return self._send(500, b'{"error": "overloaded"}')
            if mode == "timeout":
                behaviour.release.wait(5)
                return self._send(200, b"{}")
            if mode == "no-json-mode" and "response_format" in body:
                return self._send(400, b'{"error": "response_format is not supported"}')
            if mode == "malformed-body":
                return self._send(200, b"<html>gateway error</html>")
            content = json.dumps(good_storyboard(behaviour.scenes))
            if mode == "malformed-content":
                content = "{'title': 'Neon Run', scenes: [description: Kai rides,]}"
            elif mode == "truncated":
                content = content[: content.index('"narration"', content.index("Beat 3"))]
            payload = {"choices": [{"index": 0, "message": {"role": "assistant", "content": content}}]}
            return self._send(200, json.dumps(payload).encode())

        def _send(self, status: int, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


@pytest.fixture
def endpoint() -> Iterator[tuple[str, Behaviour]]:
    behaviour = Behaviour()
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(behaviour))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1", behaviour
    behaviour.release.set()
    server.shutdown()
    server.server_close()


def writer_for(base_url: str, **overrides) -> StoryboardWriter:
    values = dict(default_backend="openai", openai_base_url=base_url, openai_api_key="sk-test", openai_model="tiny",
                  openai_timeout_s=2.0, openai_max_retries=2, openai_backoff_s=0.01)
    values.update(overrides)
    return StoryboardWriter(StoryboardSettings(**values))


def create(writer: StoryboardWriter, scenes: int = 3):
    storyboard = writer.create(StoryboardRequest(prompt="a motorcycle chase through Tokyo", scene_count=scenes,
                                                 duration_s=30.0, seed=9))
    assert_complete(storyboard)
    assert_timeline(storyboard, 30.0)
    return storyboard


def test_good_json_is_used_as_written(endpoint):
    url, behaviour = endpoint
    storyboard = create(writer_for(url))
    assert storyboard.provenance.parse_outcome == ParseOutcome.OK
    assert storyboard.provenance.backend == Backend.OPENAI and storyboard.provenance.model == "tiny"
    assert storyboard.provenance.warnings == []
    assert storyboard.title == "Neon Run" and storyboard.scenes[0].title == "Beat 1"
    assert "courier on a motorbike" in storyboard.scenes[0].visual_prompt
    assert "red helmet" in storyboard.scenes[0].visual_prompt  # the model's own character bible
    request = behaviour.requests[0]
    assert request["model"] == "tiny" and request["response_format"] == {"type": "json_object"}
    assert request["messages"][0]["role"] == "system" and "exactly 3 scenes" in request["messages"][1]["content"]
    assert behaviour.headers[0]["Authorization"] == "Bearer sk-test"


def test_truncated_json_is_repaired(endpoint):
    url, behaviour = endpoint
    behaviour.mode = "truncated"
    storyboard = create(writer_for(url))
    assert storyboard.provenance.parse_outcome == ParseOutcome.REPAIRED
    assert storyboard.scenes[2].title == "Beat 3"
    assert "truncated" in storyboard.provenance.warnings[0].message


def test_malformed_json_falls_back_to_the_planner(endpoint):
    url, behaviour = endpoint
    behaviour.mode = "malformed-content"
    storyboard = create(writer_for(url))
    assert storyboard.provenance.parse_outcome == ParseOutcome.FALLBACK
    assert [w.code for w in storyboard.provenance.warnings] == ["storyboard_parse_fallback"]


def test_a_malformed_response_body_is_a_backend_failure(endpoint):
    url, behaviour = endpoint
    behaviour.mode = "malformed-body"
    storyboard = create(writer_for(url))
    assert storyboard.provenance.parse_outcome == ParseOutcome.FALLBACK
    assert [w.code for w in storyboard.provenance.warnings] == ["storyboard_backend_failed"]


def test_server_errors_are_retried_then_fall_back(endpoint):
    url, behaviour = endpoint
    behaviour.mode = "500"
    storyboard = create(writer_for(url, openai_max_retries=2))
    assert len(behaviour.requests) == 3
    assert storyboard.provenance.parse_outcome == ParseOutcome.FALLBACK
    assert "HTTP 500" in storyboard.provenance.warnings[0].message


def test_a_transient_error_is_retried_to_success(endpoint):
    url, behaviour = endpoint
    behaviour.mode = "500-then-good"
    storyboard = create(writer_for(url))
    assert len(behaviour.requests) == 2
    assert storyboard.provenance.parse_outcome == ParseOutcome.OK


def test_a_timeout_is_bounded_and_falls_back(endpoint):
    url, behaviour = endpoint
    behaviour.mode = "timeout"
    started = time.monotonic()
    storyboard = create(writer_for(url, openai_timeout_s=0.3, openai_max_retries=1))
    assert time.monotonic() - started < 4.5  # each stalled request would hold 5 s: both were abandoned
    assert len(behaviour.requests) == 2
    assert "timed out" in storyboard.provenance.warnings[0].message


def test_servers_without_json_mode_are_asked_again_without_it(endpoint):
    url, behaviour = endpoint
    behaviour.mode = "no-json-mode"
    storyboard = create(writer_for(url))
    assert storyboard.provenance.parse_outcome == ParseOutcome.OK
    assert "response_format" in behaviour.requests[0] and "response_format" not in behaviour.requests[1]


def test_an_unreachable_endpoint_falls_back(endpoint):
    storyboard = create(writer_for("http://127.0.0.1:9/v1", openai_max_retries=0, openai_timeout_s=0.5))
    assert storyboard.provenance.parse_outcome == ParseOutcome.FALLBACK
    assert "connection failed" in storyboard.provenance.warnings[0].message


def test_endpoint_and_key_come_from_the_environment(endpoint, monkeypatch):
    url, behaviour = endpoint
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/unused")
    monkeypatch.setenv("CINESYNTH_OPENAI_BASE_URL", url)  # ours wins over the conventional name
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-env")
    monkeypatch.setenv("CINESYNTH_DEFAULT_BACKEND", "openai")
    storyboard = StoryboardWriter(StoryboardSettings(openai_backoff_s=0.01)).create(
        StoryboardRequest(prompt="a chase", scene_count=3))
    assert storyboard.provenance.parse_outcome == ParseOutcome.OK
    assert behaviour.headers[0]["Authorization"] == "Bearer sk-from-env"
