"""Webhooks: a loopback HTTP receiver gets the signed terminal job (retried), and SSRF targets are refused."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import grpc
import pytest
from google.rpc import error_details_pb2, status_pb2

from gateway.webhooks import verify_signature
from services.common import pb
from tests.integration.gateway.conftest import gateway_settings, running_gateway, until
from tests.integration.gateway.doubles import Doubles

video = pb.video_pb2
SECRET = "webhook-test-secret"


class Receiver:
    """Answers 503 to the first `fail_first` requests, then 204; keeps every request."""

    def __init__(self, fail_first: int) -> None:
        self.fail_first = fail_first
        self.requests: list[tuple[dict[str, str], bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(503 if len(receiver.requests) <= receiver.fail_first else 204)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/cinesynth?x=1"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    running = Receiver(fail_first=1)
    yield running
    running.close()


async def test_terminal_job_is_posted_signed_and_retried(tmp_path: Path, doubles: Doubles, receiver: Receiver) -> None:
    settings = gateway_settings(tmp_path, doubles, webhook_allow_private=True, webhook_secret=SECRET)
    async with running_gateway(settings) as gateway:
        job = await gateway.create(callback_url=receiver.url, labels={"order": "42"})
        final = await gateway.wait(job.name)
        await until(lambda: len(receiver.requests) >= 2)

        async def delivered() -> bool:
            stored = await gateway.parts.store.get(job.id)
            return stored is not None and stored.webhook.state == "delivered" and stored.webhook.attempts == 2

        await until(delivered)
    (first_headers, _), (headers, body) = receiver.requests
    assert headers["x-cinesynth-delivery"] == first_headers["x-cinesynth-delivery"], "a retry is the same delivery"
    assert headers["content-type"] == "application/json" and headers["x-cinesynth-event"] == "job.succeeded"
    assert headers["host"] == f"127.0.0.1:{receiver.server.server_port}"
    timestamp, signed = headers["x-cinesynth-timestamp"], headers["x-cinesynth-signature"]
    assert verify_signature(SECRET.encode(), timestamp, body, signed)
    assert not verify_signature(b"other-secret", timestamp, body, signed)
    assert not verify_signature(SECRET.encode(), str(int(timestamp) + 1), body, signed), "the timestamp is signed"
    payload = json.loads(body)
    assert payload["id"] == final.id and payload["state"] == "JOB_STATE_SUCCEEDED"
    assert payload["labels"] == {"order": "42"} and "keyframes_total" in payload, "snake_case field names"
    assert any(a["name"] == "video.mp4" for a in payload["artifacts"])


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://127.0.0.1:9/hook", "non-public"),
        ("http://[::1]:9/hook", "non-public"),
        ("http://169.254.169.254/latest/meta-data", "non-public"),
        ("http://10.1.2.3/hook", "non-public"),
        ("http://localhost:9/hook", "non-public"),
        ("ftp://example.com/hook", "http"),
        ("http://user:pw@example.com/hook", "credentials"),
        ("not a url", "http"),
    ],
)
async def test_callback_urls_that_could_reach_inside_are_refused(
    tmp_path: Path, doubles: Doubles, url: str, reason: str
) -> None:
    async with running_gateway(gateway_settings(tmp_path, doubles)) as gateway:
        with pytest.raises(grpc.aio.AioRpcError) as raised:
            await gateway.create(callback_url=url)
        assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert reason in raised.value.details()
        details = dict(raised.value.trailing_metadata())["grpc-status-details-bin"]
        status = status_pb2.Status.FromString(details)
        bad = error_details_pb2.BadRequest()
        status.details[0].Unpack(bad)
        assert [v.field for v in bad.field_violations] == ["callback_url"]
        assert not (await gateway.stub.ListJobs(video.ListJobsRequest())).jobs, "nothing was created"
