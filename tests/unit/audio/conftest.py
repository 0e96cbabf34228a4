"""Fixtures of the Audio service tests: one Piper voice per test session, a temp artifact store,
loopback HTTP doubles for gTTS and YouTube's media hosts."""

from __future__ import annotations

import base64
import http.server
import socket
import subprocess
import threading
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from services.audio.settings import AudioSettings
from services.audio.voices import load_piper_voice
from services.common import ffmpeg
from tests.support import refusing_port


@pytest.fixture(scope="session")
def piper_voice() -> Any:
    """The real en_US Piper voice, loaded once for the whole session (about 2 s)."""
    return load_piper_voice()


@pytest.fixture
def audio_settings(tmp_path: Path) -> Callable[..., AudioSettings]:
    def make(**overrides: Any) -> AudioSettings:
        values: dict[str, Any] = {
            "artifact_store": f"file://{tmp_path / 'store'}",
            "metrics_port": None,
            "preload": False,
            "online": False,
        }
        values.update(overrides)
        return AudioSettings(**values)

    return make


def make_audio(path: Path, *, seconds: float, codec: list[str], source: str = "sine=f=220") -> Path:
    """A test tone encoded by ffmpeg (mp3, aac, wav ...)."""
    argv = [
        ffmpeg.ffmpeg_path(), "-nostdin", "-hide_banner", "-loglevel", "error", "-y",
        "-f", "lavfi", "-i", f"{source}:d={seconds}", *codec, str(path),
    ]
    subprocess.run(argv, check=True, capture_output=True)
    return path


@pytest.fixture(scope="session")
def speech_like_mp3(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """1.2 s of a 24 kHz mono MP3, what Google's TTS sends back."""
    path = tmp_path_factory.mktemp("gtts") / "sentence.mp3"
    make_audio(path, seconds=1.2, codec=["-ar", "24000", "-ac", "1", "-c:a", "libmp3lame", "-b:a", "32k"])
    return path.read_bytes()


@dataclass
class FakeHTTP:
    """A loopback HTTP server: `routes` maps a path to (status, headers, body)."""

    server: http.server.ThreadingHTTPServer
    requests: list[tuple[str, str, bytes]] = field(default_factory=list)
    routes: dict[str, tuple[int, dict[str, str], bytes]] = field(default_factory=dict)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"


@pytest.fixture
def fake_http() -> Iterator[FakeHTTP]:
    fake: FakeHTTP

    class Handler(http.server.BaseHTTPRequestHandler):
        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            path = self.path.split("?", 1)[0]
            fake.requests.append((self.command, self.path, body))
            status, headers, payload = fake.routes.get(path, (404, {}, b"not found"))
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = _serve
        do_POST = _serve

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake = FakeHTTP(server)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()


def gtts_reply(mp3: bytes) -> bytes:
    """The batchexecute answer gTTS parses: the MP3 base64-encoded inside a JSON-ish line."""
    b64 = base64.b64encode(mp3).decode()
    return (")]}'\n\n" + '[["wrb.fr","jQ1olc","[\\"' + b64 + '\\"]",null,null,null,"generic"]]\n').encode()


@pytest.fixture
def blackhole() -> Iterator[int]:
    """A port that accepts TCP connections and never answers (a stalled network path)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    try:
        yield int(sock.getsockname()[1])
    finally:
        sock.close()


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A loopback port nobody listens on (connection refused: the network is unreachable)."""
    with refusing_port() as port:
        yield port


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch, closed_port: int) -> None:
    """All outbound HTTP(S) goes through a proxy that refuses connections: no internet."""
    proxy = f"http://127.0.0.1:{closed_port}"
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.setenv(name, proxy)
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    # urlopen() builds its opener, proxies included, on first use and keeps it for the process: one built
    # under this fixture would send every later loopback request (metrics scrapes) to the dead proxy.
    monkeypatch.setattr(urllib.request, "_opener", None)
