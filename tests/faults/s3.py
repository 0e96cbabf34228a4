"""An S3-compatible artifact store (moto's server, in this process) whose writes can be made to fail.

`FaultyS3.fail_writes(path_part, mode)`: every PUT/POST whose path contains `path_part` fails —
`drop` closes the connection without an answer (an outage, a crashed endpoint), `deny` answers
403 AccessDenied (a revoked credential, a quota, a bucket policy). Reads always work, so a test
can check afterwards that everything a job reports is really there.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import boto3

DENIED = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code>'
    b"<Message>writes are refused (fault injection)</Message></Error>"
)
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "faults", "AWS_SECRET_ACCESS_KEY": "faults", "AWS_DEFAULT_REGION": "us-east-1"}


@dataclass
class FaultyS3:
    """WSGI middleware in front of moto's S3 app."""

    app: Callable[..., Iterable[bytes]]
    endpoint: str = ""
    path_part: str | None = None
    mode: str = "drop"
    refused: list[str] = field(default_factory=list)

    def fail_writes(self, path_part: str | None, mode: str = "drop") -> None:
        assert mode in ("drop", "deny")
        self.path_part, self.mode = path_part, mode

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        writing = environ.get("REQUEST_METHOD") in ("PUT", "POST")
        if writing and self.path_part is not None and self.path_part in path:
            self.refused.append(path)
            if self.mode == "deny":
                start_response("403 Forbidden", [("Content-Type", "application/xml")])
                return [DENIED]
            connection = environ.get("werkzeug.socket")
            if connection is not None:
                with contextlib.suppress(OSError):
                    connection.shutdown(socket.SHUT_RDWR)
            start_response("503 Service Unavailable", [])
            return [b""]
        return self.app(environ, start_response)


@contextlib.contextmanager
def faulty_s3(bucket: str) -> Iterator[FaultyS3]:
    """moto's S3 on a free loopback port with `bucket` created, behind the write-failing switch."""
    from moto.server import DomainDispatcherApplication, create_backend_app
    from werkzeug.serving import make_server

    faulty = FaultyS3(DomainDispatcherApplication(create_backend_app))
    server = make_server("127.0.0.1", 0, faulty, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    faulty.endpoint = f"http://127.0.0.1:{server.port}"
    try:
        client = boto3.client(
            "s3", endpoint_url=faulty.endpoint, region_name=CREDENTIALS["AWS_DEFAULT_REGION"],
            aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        )
        client.create_bucket(Bucket=bucket)
        yield faulty
    finally:
        server.shutdown()
        thread.join(timeout=5)
