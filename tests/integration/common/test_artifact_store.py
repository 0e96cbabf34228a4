"""Both artifact store backends; S3 against a real S3-compatible server (moto in server mode)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest

from services.common.artifacts import (
    ArtifactStore,
    FileArtifactStore,
    S3ArtifactStore,
    open_store,
    validate_key,
)
from services.common.errors import InvalidArgument, NotFound


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    _, port = server.get_host_and_port()  # bound to port 0: the port is the server's own, never reused
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")


@pytest.fixture(params=["file", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> ArtifactStore:
    if request.param == "file":
        return open_store(f"file://{tmp_path / 'artifacts'}")
    request.getfixturevalue("aws_env")
    endpoint = request.getfixturevalue("s3_endpoint")
    bucket = f"cinesynth-{request.node.name.split('[')[0].replace('_', '-')[:40]}"
    boto3.client("s3", endpoint_url=endpoint).create_bucket(Bucket=bucket)
    return open_store(f"s3://{bucket}/prefix", endpoint_url=endpoint)


def test_put_get_describe_roundtrip(store: ArtifactStore, tmp_path: Path) -> None:
    data = b"\x00keyframe-bytes" * 1000
    obj = store.put_bytes("jobs/j1/keyframes/scene-00.png", data)
    assert obj.size_bytes == len(data)
    assert obj.sha256 == hashlib.sha256(data).hexdigest()
    assert obj.mime_type == "image/png"
    assert obj.uri.startswith(f"{store.scheme}://")
    assert store.get_bytes(obj.uri) == data
    assert store.stat(obj.uri) == len(data)
    assert store.exists(obj.uri)
    assert store.key_for(obj.uri) == "jobs/j1/keyframes/scene-00.png"
    assert b"".join(store.iter_chunks(obj.uri, chunk_size=4096)) == data
    described = store.describe(obj.uri)
    assert (described.sha256, described.size_bytes) == (obj.sha256, obj.size_bytes)
    dest = store.download(obj.uri, tmp_path / "out" / "copy.png")
    assert dest.read_bytes() == data
    store.delete(obj.uri)
    assert not store.exists(obj.uri)


def test_missing_object_is_not_found(store: ArtifactStore) -> None:
    with pytest.raises(NotFound):
        store.get_bytes(store.uri_for("jobs/none/video.mp4"))


@pytest.mark.parametrize(
    "key", ["../etc/passwd", "jobs/../../x", "/abs/path", "jobs//x", "jobs/./x", "a\\b", "jobs/x\x00y", ""]
)
def test_keys_that_could_escape_are_rejected(key: str) -> None:
    with pytest.raises(InvalidArgument):
        validate_key(key)


def test_file_store_rejects_uris_outside_its_root(tmp_path: Path) -> None:
    store = FileArtifactStore(tmp_path / "root")
    outside = tmp_path / "secret.txt"
    outside.write_text("secret")
    for uri in (outside.as_uri(), (tmp_path / "root" / ".." / "secret.txt").as_uri(), "http://x/y", "s3://b/k"):
        with pytest.raises(InvalidArgument):
            store.get_bytes(uri)


def test_s3_store_rejects_other_buckets(s3_endpoint: str, aws_env: None) -> None:
    store = S3ArtifactStore("mine", "p", endpoint_url=s3_endpoint)
    with pytest.raises(InvalidArgument):
        store.get_bytes("s3://other/p/jobs/x.mp4")
    with pytest.raises(InvalidArgument):
        store.get_bytes("s3://mine/elsewhere/x.mp4")
