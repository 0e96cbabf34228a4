"""Music-video sources: uploaded tracks (UploadMusic) and the licensed library, as artifact-store URIs.

An upload is spooled to a temporary file while its size and sha256 are counted, refused the moment
it passes the cap, and sniffed for an audio container by its first bytes (the gateway carries no
decoder). It is stored under `uploads/<tenant>/<id>/<name>` and then confirmed by the AudioService:
AnalyzeMusic on the stored file proves that ffmpeg decodes it and gives its length. The analysis is
kept beside it (`analysis.json`) so a job on the upload does not analyse it again, and `upload.json`,
written last, marks the upload complete. Upload ids are looked up under the caller's tenant only:
another tenant's id is indistinguishable from one that does not exist.

Library tracks come from the directory the audio service also reads (`library.json`, see
services/common/music_catalog.py); the chosen file is copied into the store once, content-addressed
(`library/<sha256>/<name>`), because the internal services take music by store URI only.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import json
import logging
import re
import tempfile
import threading
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO

from google.protobuf import json_format
from grpc import aio

from gateway.downstream import Downstream
from gateway.metrics import MUSIC_UPLOADS
from gateway.model import MusicSpec
from gateway.redact import public_message
from services.common import pb
from services.common.artifacts import ArtifactStore, sha256_file
from services.common.errors import (
    CinesynthError,
    DeadlineExceeded,
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    ResourceExhausted,
    from_rpc_error,
)
from services.common.music_catalog import LibraryError, LibraryTrack, load_tracks

log = logging.getLogger(__name__)

MIB = 1024 * 1024
# Enough bytes to tell every supported container apart.
SNIFF_BYTES = 12
MAX_FILENAME_CHARS = 255
_KEY_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_KEY_PART = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


@dataclass(frozen=True)
class AudioFormat:
    name: str
    mime_type: str
    suffixes: tuple[str, ...]  # the first is the one a stored name gets when it has none of them


AUDIO_FORMATS = {
    f.name: f
    for f in (
        AudioFormat("wav", "audio/wav", (".wav", ".wave")),
        AudioFormat("mp3", "audio/mpeg", (".mp3",)),
        AudioFormat("flac", "audio/flac", (".flac",)),
        AudioFormat("ogg", "audio/ogg", (".ogg", ".oga", ".opus")),
        AudioFormat("m4a", "audio/mp4", (".m4a", ".mp4", ".m4b")),
        AudioFormat("aac", "audio/aac", (".aac",)),
    )
}


def sniff_audio(head: bytes) -> AudioFormat | None:
    """The audio container the first bytes announce (WAV, MP3, FLAC, Ogg, MP4/M4A, ADTS AAC), or None.

    Only the magic numbers: whether the rest decodes is for the AudioService to say.
    """
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return AUDIO_FORMATS["wav"]
    if head[:4] == b"fLaC":
        return AUDIO_FORMATS["flac"]
    if head[:4] == b"OggS":
        return AUDIO_FORMATS["ogg"]
    if head[4:8] == b"ftyp":
        return AUDIO_FORMATS["m4a"]
    if head[:3] == b"ID3":  # an ID3v2 tag, in practice in front of MP3 frames
        return AUDIO_FORMATS["mp3"]
    if len(head) >= 2 and head[0] == 0xFF:
        if head[1] & 0xF6 == 0xF0:  # ADTS: 12-bit sync, layer 00
            return AUDIO_FORMATS["aac"]
        version, layer = (head[1] >> 3) & 0b11, (head[1] >> 1) & 0b11
        if head[1] & 0xE0 == 0xE0 and layer != 0 and version != 0b01:  # MPEG audio frame sync
            return AUDIO_FORMATS["mp3"]
    return None


def stored_name(filename: str, audio: AudioFormat) -> str:
    """A store-safe file name from the client's: its base name, odd characters replaced, the format's suffix."""
    base = re.split(r"[/\\]", filename)[-1]
    safe = _KEY_UNSAFE.sub("_", base).lstrip("._-")[:100] or "track"
    path = PurePosixPath(safe)
    if path.suffix.lower() not in audio.suffixes:
        safe = f"{path.stem if path.suffix else safe}{audio.suffixes[0]}"
    return safe


def tenant_part(tenant: str) -> str:
    """The tenant as one store-key segment (tenant names are key-safe; anything else is hashed)."""
    if _KEY_PART.match(tenant):
        return tenant
    return "t-" + hashlib.sha256(tenant.encode()).hexdigest()[:24]


@dataclass(frozen=True)
class MusicConfig:
    max_upload_bytes: int = 50 * MIB
    library_dir: str | None = None
    analyze_timeout_s: float = 300.0
    # A music video is as long as its track: the track must fit the video length bounds.
    min_duration_s: float = 5.0
    max_duration_s: float = 600.0
    # A stream that sends nothing for this long is dropped (a stalled or trickling client holds a
    # spool file and a handler otherwise); uploads one tenant may run at once; bytes all uploads may
    # hold in spool files together (beyond it an upload is refused RESOURCE_EXHAUSTED, try again).
    idle_timeout_s: float = 30.0
    max_uploads_per_tenant: int = 4
    max_spool_bytes: int = 256 * MIB


@dataclass(frozen=True)
class UploadMetadata:
    filename: str = ""
    mime_type: str = ""
    size_bytes: int = 0  # announced size; 0 = not announced


@dataclass(frozen=True)
class UploadRecord:
    """`upload.json`: a confirmed upload of one tenant."""

    upload_id: str
    tenant: str
    filename: str
    name: str
    uri: str
    mime_type: str
    format: str
    size_bytes: int
    sha256: str
    duration_s: float
    analysis_uri: str
    create_time: float


class MusicTracks:
    """Receives uploads and resolves a request's music source to a track in the artifact store."""

    def __init__(self, artifacts: ArtifactStore, downstream: Downstream, config: MusicConfig) -> None:
        self.artifacts = artifacts
        self.downstream = downstream
        self.config = config
        self._library_hashes: dict[tuple[str, int, int], str] = {}
        self._library_lock = threading.Lock()
        self._uploading: dict[str, int] = {}  # tenant -> uploads in progress
        self.spooled_bytes = 0  # held in spool files by all uploads now

    # --- UploadMusic ---------------------------------------------------------------------------

    def check_metadata(self, metadata: UploadMetadata) -> None:
        cap = self.config.max_upload_bytes
        if metadata.size_bytes < 0:
            raise InvalidArgument.field("metadata.size_bytes", f"must not be negative (got {metadata.size_bytes})")
        if metadata.size_bytes > cap:
            raise InvalidArgument.field(
                "metadata.size_bytes", f"{metadata.size_bytes} bytes is over the upload limit of {cap} bytes"
            )
        if len(metadata.filename) > MAX_FILENAME_CHARS:
            raise InvalidArgument.field("metadata.filename", f"must be at most {MAX_FILENAME_CHARS} characters")

    async def upload(
        self, tenant: str, metadata: UploadMetadata, chunks: AsyncIterator[bytes], *, timeout_s: float | None = None
    ) -> UploadRecord:
        """Store and confirm one upload; INVALID_ARGUMENT (`metadata.*` or `chunk`) for what is not usable."""
        running = self._uploading.get(tenant, 0)
        if running >= self.config.max_uploads_per_tenant:
            MUSIC_UPLOADS.labels("refused").inc()
            raise ResourceExhausted(
                f"{running} uploads of this tenant are in progress; the limit is {self.config.max_uploads_per_tenant}"
            )
        self._uploading[tenant] = running + 1
        try:
            record = await self._upload(tenant, metadata, chunks, timeout_s)
        except (InvalidArgument, ResourceExhausted, DeadlineExceeded):
            MUSIC_UPLOADS.labels("refused").inc()
            raise
        except BaseException:
            MUSIC_UPLOADS.labels("failed").inc()
            raise
        finally:
            self._uploading[tenant] -= 1
            if not self._uploading[tenant]:
                del self._uploading[tenant]
        MUSIC_UPLOADS.labels("accepted").inc()
        return record

    async def _upload(
        self, tenant: str, metadata: UploadMetadata, chunks: AsyncIterator[bytes], timeout_s: float | None
    ) -> UploadRecord:
        self.check_metadata(metadata)
        upload_id = uuid.uuid4().hex
        prefix = f"uploads/{tenant_part(tenant)}/{upload_id}"
        with tempfile.TemporaryDirectory(prefix="cinesynth-upload-") as tmp:
            spooled = Path(tmp) / "upload"
            size, digest, audio = await self._receive(chunks, spooled)
            if metadata.size_bytes and size != metadata.size_bytes:
                raise InvalidArgument.field(
                    "metadata.size_bytes", f"announced {metadata.size_bytes} bytes but {size} arrived"
                )
            name = stored_name(metadata.filename, audio)
            stored = await asyncio.to_thread(self.artifacts.put_file, f"{prefix}/{name}", spooled, audio.mime_type)
        try:
            analysis = await self._confirm(stored.uri, timeout_s)
            analysis_json = json_format.MessageToJson(analysis, preserving_proto_field_name=True).encode()
            saved = await asyncio.to_thread(
                self.artifacts.put_bytes, f"{prefix}/analysis.json", analysis_json, "application/json"
            )
            record = UploadRecord(
                upload_id=upload_id, tenant=tenant, filename=metadata.filename[:MAX_FILENAME_CHARS], name=name,
                uri=stored.uri, mime_type=audio.mime_type, format=audio.name, size_bytes=size, sha256=digest,
                duration_s=analysis.duration_s, analysis_uri=saved.uri, create_time=time.time(),
            )
            body = json.dumps(dataclasses.asdict(record), indent=2).encode()
            await asyncio.to_thread(self.artifacts.put_bytes, f"{prefix}/upload.json", body, "application/json")
        except BaseException:
            await asyncio.shield(asyncio.to_thread(self._forget, prefix, (stored.uri,)))
            raise
        log.info("music uploaded", extra={"upload_id": upload_id, "bytes": size, "format": audio.name})
        return record

    async def _receive(self, chunks: AsyncIterator[bytes], dest: Path) -> tuple[int, str, AudioFormat]:
        cap = self.config.max_upload_bytes
        digest = hashlib.sha256()
        size = 0
        head = b""
        spooled = 0
        audio: AudioFormat | None = None
        fh = await asyncio.to_thread(open, dest, "wb")
        stream = aiter(chunks)
        idle = self.config.idle_timeout_s
        try:
            while True:
                try:
                    async with asyncio.timeout(idle):
                        chunk = await anext(stream)
                except StopAsyncIteration:
                    break
                except TimeoutError:
                    raise DeadlineExceeded(f"no upload data arrived for {idle:g} s; the upload was dropped") from None
                size += len(chunk)
                if size > cap:
                    raise InvalidArgument.field("chunk", f"the upload passed the limit of {cap} bytes")
                if self.spooled_bytes + len(chunk) > self.config.max_spool_bytes:
                    raise ResourceExhausted("the gateway is receiving too many uploads at once; try again shortly")
                self.spooled_bytes += len(chunk)
                spooled += len(chunk)
                if audio is None and len(head) < SNIFF_BYTES:
                    head += chunk[: SNIFF_BYTES - len(head)]
                    if len(head) >= SNIFF_BYTES:
                        audio = _sniffed(head)
                await asyncio.to_thread(_write, fh, digest, chunk)
        finally:
            self.spooled_bytes -= spooled  # released once received: the spool file goes with the upload
            await asyncio.to_thread(fh.close)
        if size == 0:
            raise InvalidArgument.field("chunk", "the upload is empty: no audio data arrived")
        return size, digest.hexdigest(), audio or _sniffed(head)

    async def _confirm(self, uri: str, timeout_s: float | None) -> pb.common_pb2.MusicAnalysis:
        """AnalyzeMusic on the stored upload: it decodes (or is not audio after all) and fits a music video."""
        stub = self.downstream.audio
        assert stub is not None
        timeout = min(self.config.analyze_timeout_s, timeout_s) if timeout_s else self.config.analyze_timeout_s
        try:
            response = await stub.AnalyzeMusic(pb.audio_pb2.AnalyzeMusicRequest(track_uri=uri), timeout=timeout)
        except aio.AioRpcError as exc:
            error = from_rpc_error(exc)
            if isinstance(error, InvalidArgument):
                # The store URI was ours and fine: what the audio service refused is the content.
                why = "; ".join(v.description for v in error.violations) or error.message
                raise InvalidArgument.field("chunk", f"not usable audio: {public_message(why)}") from None
            raise type(error)(public_message(error.message)) from None
        analysis = response.analysis
        duration = analysis.duration_s
        if not self.config.min_duration_s <= duration <= self.config.max_duration_s:
            raise InvalidArgument.field(
                "chunk",
                f"the track is {duration:.1f} s long; a music video is {self.config.min_duration_s:g}.."
                f"{self.config.max_duration_s:g} s",
            )
        return analysis

    def _forget(self, prefix: str, uris: tuple[str, ...]) -> None:
        """Remove a refused upload's objects (best effort: they are unreachable without upload.json)."""
        for uri in (*uris, self.artifacts.uri_for(f"{prefix}/analysis.json")):
            try:
                self.artifacts.delete(uri)
            except (CinesynthError, OSError) as exc:
                log.warning("could not delete a refused upload", extra={"error": str(exc)[:200]})

    # --- CreateVideo: music -> track -------------------------------------------------------------

    async def resolve(self, tenant: str, music: MusicSpec) -> MusicSpec:
        """`music` with its track filled in; INVALID_ARGUMENT naming the id when there is no such track."""
        if music.upload_id:
            record = await asyncio.to_thread(self.upload_record, tenant, music.upload_id)
            return dataclasses.replace(
                music, track_uri=record.uri, track_name=record.name, track_size_bytes=record.size_bytes,
                track_sha256=record.sha256, analysis_uri=record.analysis_uri,
            )
        return await asyncio.to_thread(self._library_track, music)

    def upload_record(self, tenant: str, upload_id: str) -> UploadRecord:
        uri = self.artifacts.uri_for(f"uploads/{tenant_part(tenant)}/{upload_id}/upload.json")
        try:
            data: dict[str, Any] = json.loads(self.artifacts.get_bytes(uri))
        except NotFound:
            raise InvalidArgument.field(
                "music.upload_id", f"no upload {upload_id} (UploadMusic returns the id)"
            ) from None
        names = {f.name for f in dataclasses.fields(UploadRecord)}
        return UploadRecord(**{k: v for k, v in data.items() if k in names})

    def _library_track(self, music: MusicSpec) -> MusicSpec:
        field = "music.library_track_id"
        if not self.config.library_dir:
            raise InvalidArgument.field(field, "this gateway has no music library")
        try:
            tracks = load_tracks(self.config.library_dir)
        except LibraryError as exc:
            raise FailedPrecondition(f"the music library is not usable: {exc}") from None
        track = next((t for t in tracks if t.id == music.library_track_id), None)
        if track is None:
            raise InvalidArgument.field(field, f"no track {music.library_track_id[:100]!r} in the music library")
        digest = self._library_hash(track)
        audio = AUDIO_FORMATS.get(track.path.suffix.lower().lstrip("."))
        name = stored_name(track.path.name, audio) if audio else _KEY_UNSAFE.sub("_", track.path.name).lstrip("._-")
        key = f"library/{digest}/{name or 'track'}"
        uri = self.artifacts.uri_for(key)
        if not self.artifacts.exists(uri):  # content-addressed: copied once
            self.artifacts.put_file(key, track.path, audio.mime_type if audio else None)
        return dataclasses.replace(
            music, track_uri=uri, track_name=name, track_size_bytes=track.path.stat().st_size, track_sha256=digest
        )

    def _library_hash(self, track: LibraryTrack) -> str:
        stat = track.path.stat()
        key = (str(track.path), stat.st_mtime_ns, stat.st_size)
        with self._library_lock:
            known = self._library_hashes.get(key)
        if known is None:
            known = sha256_file(track.path)
            with self._library_lock:
                self._library_hashes[key] = known
        return known


def _sniffed(head: bytes) -> AudioFormat:
    audio = sniff_audio(head)
    if audio is None:
        raise InvalidArgument.field(
            "chunk", "not an audio file: expected WAV, MP3, FLAC, Ogg, M4A/MP4 or AAC (ADTS) data"
        )
    return audio


def _write(fh: BinaryIO, digest: Any, chunk: bytes) -> None:
    fh.write(chunk)
    digest.update(chunk)

