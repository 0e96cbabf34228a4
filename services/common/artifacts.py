"""Artifact store: media moves between services by URI, never inline in messages.

`file://DIR` (default, one host) and `s3://BUCKET/PREFIX` (a cluster). Keys are relative paths
such as `jobs/<id>/keyframes/scene-00.png`; anything that could escape the store is rejected.
The interface is synchronous (boto3 is); async callers use `asyncio.to_thread`.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import urlparse

from services.common.errors import InvalidArgument, NotFound, Unavailable

_KEY_PART = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$")
CHUNK = 1024 * 1024

MIME_BY_SUFFIX = {
    ".mp4": "video/mp4",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".wav": "audio/wav",
    ".m4a": "audio/mp4",
    ".aac": "audio/aac",
    ".mp3": "audio/mpeg",
    ".ogg": "audio/ogg",
    ".flac": "audio/flac",
    ".srt": "application/x-subrip",
    ".vtt": "text/vtt",
    ".json": "application/json",
}


def guess_mime(key: str) -> str:
    return MIME_BY_SUFFIX.get(Path(key).suffix.lower(), "application/octet-stream")


def validate_key(key: str, field: str = "key") -> str:
    """A store key: '/'-separated parts of [A-Za-z0-9._-], no '..', no leading '/' or '.'."""
    if not key or len(key) > 1024:
        raise InvalidArgument.field(field, "must be 1..1024 characters")
    parts = key.split("/")
    for part in parts:
        if part in ("", ".", "..") or not _KEY_PART.match(part):
            raise InvalidArgument.field(field, f"invalid path segment {part[:40]!r}")
    return key


def store_failed(action: str, reason: str) -> Unavailable:
    """The store could not `action`: UNAVAILABLE, marked as a failed dependency (the service calling
    the store is up; see errors.Unavailable)."""
    return Unavailable(f"artifact store {action} failed: {reason}", dependency_failed=True)


@dataclass(frozen=True)
class StoredObject:
    uri: str
    key: str
    size_bytes: int
    sha256: str
    mime_type: str


def sha256_file(path: str | os.PathLike[str]) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


class ArtifactStore(ABC):
    """Put, fetch and stream objects by key or URI."""

    scheme: str

    @abstractmethod
    def uri_for(self, key: str) -> str: ...

    @abstractmethod
    def key_for(self, uri: str, field: str = "uri") -> str:
        """The key of a URI of this store; InvalidArgument when the URI is not inside it."""

    @abstractmethod
    def put_file(self, key: str, path: str | os.PathLike[str], mime_type: str | None = None) -> StoredObject: ...

    @abstractmethod
    def open_read(self, uri: str) -> BinaryIO: ...

    @abstractmethod
    def stat(self, uri: str) -> int:
        """Size in bytes; NotFound when absent."""

    @abstractmethod
    def delete(self, uri: str) -> None: ...

    @abstractmethod
    def list_keys(self, prefix: str) -> list[tuple[str, float]]:
        """(key, last-modified unix time) of every object whose key starts with `prefix` + "/"."""

    def delete_prefix(self, prefix: str) -> int:
        """Delete every object under `prefix`/ (retention); returns how many were deleted."""
        keys = [key for key, _ in self.list_keys(prefix)]
        for key in keys:
            self.delete(self.uri_for(key))
        return len(keys)

    def put_bytes(self, key: str, data: bytes, mime_type: str | None = None) -> StoredObject:
        with tempfile.NamedTemporaryFile(delete=False) as tmp:
            tmp.write(data)
        try:
            return self.put_file(key, tmp.name, mime_type)
        finally:
            os.unlink(tmp.name)

    def exists(self, uri: str) -> bool:
        try:
            self.stat(uri)
        except NotFound:
            return False
        return True

    def get_bytes(self, uri: str) -> bytes:
        with self.open_read(uri) as fh:
            return fh.read()

    def download(self, uri: str, dest: str | os.PathLike[str]) -> Path:
        dest = Path(dest)
        dest.parent.mkdir(parents=True, exist_ok=True)
        with self.open_read(uri) as src, open(dest, "wb") as out:
            shutil.copyfileobj(src, out, CHUNK)
        return dest

    def iter_chunks(self, uri: str, chunk_size: int = CHUNK) -> Iterator[bytes]:
        with self.open_read(uri) as fh:
            yield from iter(lambda: fh.read(chunk_size), b"")

    def describe(self, uri: str) -> StoredObject:
        """Size and hash of a stored object (reads it once)."""
        digest = hashlib.sha256()
        size = 0
        for block in self.iter_chunks(uri):
            digest.update(block)
            size += len(block)
        key = self.key_for(uri)
        return StoredObject(uri, key, size, digest.hexdigest(), guess_mime(key))


class FileArtifactStore(ArtifactStore):
    scheme = "file"

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root).resolve()
        self.root.mkdir(parents=True, exist_ok=True)

    def uri_for(self, key: str) -> str:
        return (self.root / validate_key(key)).as_uri()

    def _path(self, uri: str, field: str = "uri") -> Path:
        parsed = urlparse(uri)
        if parsed.scheme != "file" or parsed.netloc not in ("", "localhost"):
            raise InvalidArgument.field(field, "not a file:// URI of this artifact store")
        path = Path(os.path.normpath(parsed.path))
        if self.root not in path.parents:  # the root itself is no artifact either
            raise InvalidArgument.field(field, "outside the artifact store")
        if "\x00" in parsed.path or ".." in Path(parsed.path).parts:
            raise InvalidArgument.field(field, "invalid path")
        return path

    def key_for(self, uri: str, field: str = "uri") -> str:
        return validate_key(self._path(uri, field).relative_to(self.root).as_posix(), field)

    def put_file(self, key: str, path: str | os.PathLike[str], mime_type: str | None = None) -> StoredObject:
        dest = self.root / validate_key(key)
        tmp: str | None = None
        try:
            dest.parent.mkdir(parents=True, exist_ok=True)
            # Write beside, then rename: readers never see a half-written artifact.
            fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.")
            os.close(fd)
            shutil.copyfile(path, tmp)
            os.replace(tmp, dest)
        except OSError as exc:
            if tmp is not None:
                Path(tmp).unlink(missing_ok=True)
            # strerror only: the message reaches clients and must not carry host paths.
            raise store_failed("write", exc.strerror or type(exc).__name__) from exc
        return StoredObject(dest.as_uri(), key, dest.stat().st_size, sha256_file(dest), mime_type or guess_mime(key))

    def open_read(self, uri: str) -> BinaryIO:
        path = self._path(uri)
        try:
            return open(path, "rb")
        except FileNotFoundError as exc:
            raise NotFound(f"artifact not found: {self.key_for(uri)}") from exc

    def stat(self, uri: str) -> int:
        path = self._path(uri)
        if not path.is_file():
            raise NotFound(f"artifact not found: {self.key_for(uri)}")
        return path.stat().st_size

    def delete(self, uri: str) -> None:
        path = self._path(uri)
        path.unlink(missing_ok=True)
        # No empty folders left behind (a refused upload, an expired job): remove emptied parents.
        for parent in path.parents:
            if parent == self.root or self.root not in parent.parents:
                break
            try:
                parent.rmdir()
            except OSError:  # not empty (or already gone): the rest of the tree stays
                break

    def list_keys(self, prefix: str) -> list[tuple[str, float]]:
        base = self.root / validate_key(prefix)
        if not base.is_dir():
            return []
        out = []
        for path in base.rglob("*"):
            if path.is_file() and not path.name.startswith("."):
                out.append((path.relative_to(self.root).as_posix(), path.stat().st_mtime))
        return sorted(out)

    def local_path(self, uri: str) -> Path:
        """Direct path for readers on the same host (avoids a copy)."""
        return self._path(uri)


class S3ArtifactStore(ArtifactStore):
    scheme = "s3"

    def __init__(
        self, bucket: str, prefix: str = "", *, endpoint_url: str | None = None, region: str | None = None,
        client: Any = None,
    ) -> None:
        import boto3

        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.client = client or boto3.client("s3", endpoint_url=endpoint_url, region_name=region)

    def _object_key(self, key: str) -> str:
        key = validate_key(key)
        return f"{self.prefix}/{key}" if self.prefix else key

    def uri_for(self, key: str) -> str:
        return f"s3://{self.bucket}/{self._object_key(key)}"

    def _split(self, uri: str, field: str = "uri") -> str:
        parsed = urlparse(uri)
        if parsed.scheme != "s3" or parsed.netloc != self.bucket:
            raise InvalidArgument.field(field, "not an s3:// URI of this artifact store")
        object_key = parsed.path.lstrip("/")
        if self.prefix and not object_key.startswith(self.prefix + "/"):
            raise InvalidArgument.field(field, "outside the artifact store")
        validate_key(object_key, field)
        return object_key

    def key_for(self, uri: str, field: str = "uri") -> str:
        object_key = self._split(uri, field)
        return object_key[len(self.prefix) + 1 :] if self.prefix else object_key

    def put_file(self, key: str, path: str | os.PathLike[str], mime_type: str | None = None) -> StoredObject:
        from boto3.exceptions import S3UploadFailedError
        from botocore.exceptions import BotoCoreError, ClientError

        object_key = self._object_key(key)
        mime = mime_type or guess_mime(key)
        digest = sha256_file(path)
        try:
            self.client.upload_file(
                str(path), self.bucket, object_key,
                ExtraArgs={"ContentType": mime, "Metadata": {"sha256": digest}},
            )
        except ClientError as exc:
            raise store_failed("write", _s3_reason(exc)) from exc
        except S3UploadFailedError as exc:
            # Its message names the local temp file: keep only the S3 error after it.
            reason = str(exc).rsplit(": ", 1)[-1]
            raise store_failed("write", reason) from exc
        except BotoCoreError as exc:
            raise store_failed("write", type(exc).__name__) from exc
        return StoredObject(f"s3://{self.bucket}/{object_key}", key, os.path.getsize(path), digest, mime)

    def open_read(self, uri: str) -> BinaryIO:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            response = self.client.get_object(Bucket=self.bucket, Key=self._split(uri))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                raise NotFound(f"artifact not found: {self.key_for(uri)}") from exc
            raise store_failed("read", _s3_reason(exc)) from exc
        except BotoCoreError as exc:
            raise store_failed("read", type(exc).__name__) from exc
        return response["Body"]

    def stat(self, uri: str) -> int:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            head = self.client.head_object(Bucket=self.bucket, Key=self._split(uri))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404", "NotFound"):
                raise NotFound(f"artifact not found: {self.key_for(uri)}") from exc
            raise store_failed("read", _s3_reason(exc)) from exc
        except BotoCoreError as exc:
            raise store_failed("read", type(exc).__name__) from exc
        return int(head["ContentLength"])

    def delete(self, uri: str) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self.client.delete_object(Bucket=self.bucket, Key=self._split(uri))
        except (BotoCoreError, ClientError) as exc:
            raise store_failed("delete", type(exc).__name__) from exc

    def presigned_url(self, uri: str, expires_s: int, filename: str = "") -> str:
        """A time-limited HTTPS GET URL of the object (signing is local: no request is made)."""
        params: dict[str, str] = {"Bucket": self.bucket, "Key": self._split(uri)}
        if filename:
            params["ResponseContentDisposition"] = f'attachment; filename="{filename}"'
        return str(self.client.generate_presigned_url("get_object", Params=params, ExpiresIn=int(expires_s)))

    def list_keys(self, prefix: str) -> list[tuple[str, float]]:
        from botocore.exceptions import BotoCoreError, ClientError

        object_prefix = self._object_key(validate_key(prefix)) + "/"
        strip = len(self._object_key("x")) - 1
        out: list[tuple[str, float]] = []
        try:
            for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=object_prefix):
                for item in page.get("Contents", []):
                    out.append((item["Key"][strip:], item["LastModified"].timestamp()))
        except (BotoCoreError, ClientError) as exc:
            raise store_failed("list", type(exc).__name__) from exc
        return sorted(out)


def _s3_reason(exc: Any) -> str:
    """'AccessDenied (403)' from a botocore ClientError."""
    error = exc.response.get("Error", {})
    status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    return f"{error.get('Code', 'error')} ({status})" if status else str(error.get("Code", "error"))


def open_store(url: str, *, endpoint_url: str | None = None, region: str | None = None) -> ArtifactStore:
    """`file://DIR` (relative paths allowed: file://./run/artifacts) or `s3://BUCKET[/PREFIX]`."""
    parsed = urlparse(url)
    if parsed.scheme == "file":
        raw = url[len("file://") :]
        return FileArtifactStore(Path(raw).expanduser())
    if parsed.scheme == "s3":
        if not parsed.netloc:
            raise ValueError(f"artifact store URL needs a bucket: {url!r}")
        return S3ArtifactStore(parsed.netloc, parsed.path, endpoint_url=endpoint_url, region=region)
    raise ValueError(f"unsupported artifact store URL {url!r} (use file://DIR or s3://BUCKET/PREFIX)")
