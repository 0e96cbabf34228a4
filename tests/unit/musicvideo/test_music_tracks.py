"""MusicTracks: the upload cap, refusals, storage per tenant, and library ids -> store URIs.

The AudioService is stood in for by an object with an async AnalyzeMusic (the gRPC layer is covered by
tests/integration/musicvideo); the store is a real FileArtifactStore.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import grpc
import pytest
from prometheus_client import REGISTRY

from gateway.model import MusicSpec
from gateway.music import MusicConfig, MusicTracks, UploadMetadata
from services.common.artifacts import FileArtifactStore, sha256_file
from services.common.errors import FailedPrecondition, InvalidArgument, Unavailable
from tests.unit.musicvideo.doubles import StandInAudio, StandInDownstream

WAV_HEAD = b"RIFF\x00\x00\x00\x00WAVEfmt "
CAP = 64 * 1024


class Chunks:
    """An upload stream that counts how much of it the gateway consumed."""

    def __init__(self, *chunks: bytes) -> None:
        self.chunks = list(chunks)
        self.pulled = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self.chunks:
            self.pulled += 1
            yield chunk


def uploads(outcome: str) -> float:
    return REGISTRY.get_sample_value("cinesynth_music_uploads_total", {"outcome": outcome}) or 0.0


def tracks(tmp_path: Path, audio: StandInAudio | None = None, **config: object) -> MusicTracks:
    store = FileArtifactStore(tmp_path / "store")
    values: dict[str, object] = {"max_upload_bytes": CAP}
    values.update(config)
    return MusicTracks(store, StandInDownstream(audio or StandInAudio()), MusicConfig(**values))  # type: ignore[arg-type]


def stored_files(tmp_path: Path) -> list[str]:
    root = tmp_path / "store"
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []


async def refusal(music: MusicTracks, chunks: Chunks, metadata: UploadMetadata | None = None) -> tuple[str, str]:
    with pytest.raises(InvalidArgument) as raised:
        await music.upload("alpha", metadata or UploadMetadata("a.wav"), chunks.__aiter__())
    violation = raised.value.violations[0]
    return violation.field, violation.description


async def test_an_upload_is_stored_under_its_tenant_and_confirmed(tmp_path: Path) -> None:
    audio = StandInAudio(duration_s=31.5)
    music = tracks(tmp_path, audio)
    data = WAV_HEAD + bytes(5000)
    record = await music.upload("alpha", UploadMetadata("My Song.wav", "audio/wav", len(data)),
                                Chunks(data[:7], data[7:]).__aiter__())
    prefix = f"uploads/alpha/{record.upload_id}"
    assert stored_files(tmp_path) == [f"{prefix}/My_Song.wav", f"{prefix}/analysis.json", f"{prefix}/upload.json"]
    assert record.size_bytes == len(data) and record.duration_s == 31.5 and record.format == "wav"
    assert record.sha256 == sha256_file(tmp_path / "store" / prefix / "My_Song.wav")
    assert audio.calls == [record.uri]

    spec = await music.resolve("alpha", MusicSpec(upload_id=record.upload_id, genre_tags=["pop"]))
    assert (spec.track_uri, spec.track_sha256, spec.track_size_bytes) == (record.uri, record.sha256, len(data))
    assert spec.analysis_uri.endswith("/analysis.json") and spec.genre_tags == ["pop"]
    analysis = json.loads((tmp_path / "store" / prefix / "analysis.json").read_text())
    assert analysis["duration_s"] == 31.5
    with pytest.raises(InvalidArgument) as other:
        await music.resolve("beta", MusicSpec(upload_id=record.upload_id))
    assert other.value.violations[0].field == "music.upload_id"


async def test_the_cap_refuses_up_front_and_as_soon_as_the_stream_passes_it(tmp_path: Path) -> None:
    music = tracks(tmp_path)
    announced = Chunks(WAV_HEAD)
    assert (await refusal(music, announced, UploadMetadata("a.wav", size_bytes=CAP + 1)))[0] == "metadata.size_bytes"
    assert announced.pulled == 0, "refused before reading any chunk"
    stream = Chunks(WAV_HEAD + bytes(CAP // 2), bytes(CAP // 2), bytes(CAP), bytes(CAP))
    field, why = await refusal(music, stream)
    assert field == "chunk" and str(CAP) in why
    assert stream.pulled == 2, "stopped at the chunk that passed the cap"
    exactly = Chunks(WAV_HEAD + bytes(CAP - len(WAV_HEAD)))
    assert (await music.upload("alpha", UploadMetadata("a.wav"), exactly.__aiter__())).size_bytes == CAP
    field, _ = await refusal(music, Chunks(WAV_HEAD), UploadMetadata("a.wav", size_bytes=-1))
    assert field == "metadata.size_bytes"


async def test_empty_not_audio_and_short_uploads_are_refused_and_nothing_is_kept(tmp_path: Path) -> None:
    audio = StandInAudio()
    music = tracks(tmp_path, audio)
    refused_before, failed_before = uploads("refused"), uploads("failed")
    assert (await refusal(music, Chunks()))[0] == "chunk"
    assert (await refusal(music, Chunks(b"", b"")))[0] == "chunk"
    text = Chunks(b"just some text, not a song\n", b"more text\n")
    field, why = await refusal(music, text)
    assert field == "chunk" and "not an audio file" in why and text.pulled == 1
    assert (await refusal(music, Chunks(b"RIFF")))[0] == "chunk", "too short to be anything"
    mismatch = await refusal(music, Chunks(WAV_HEAD), UploadMetadata("a.wav", size_bytes=100))
    assert mismatch[0] == "metadata.size_bytes"
    assert audio.calls == [], "the audio service is only asked about plausible audio"

    audio.fail = grpc.StatusCode.INVALID_ARGUMENT
    field, why = await refusal(music, Chunks(WAV_HEAD + bytes(100)))
    assert field == "chunk" and "cannot decode" in why
    audio.fail, audio.duration_s = None, 2.0
    field, why = await refusal(music, Chunks(WAV_HEAD + bytes(100)))
    assert field == "chunk" and "2.0 s" in why
    audio.fail = grpc.StatusCode.UNAVAILABLE
    with pytest.raises(Unavailable):
        await music.upload("alpha", UploadMetadata("a.wav"), Chunks(WAV_HEAD).__aiter__())
    assert stored_files(tmp_path) == [], "refused uploads leave nothing behind"
    assert (uploads("refused") - refused_before, uploads("failed") - failed_before) == (7, 1)


def write_library(root: Path, entries: list[dict[str, object]]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for entry in entries:
        (root / str(entry["file"])).parent.mkdir(parents=True, exist_ok=True)
        (root / str(entry["file"])).write_bytes(WAV_HEAD + str(entry["file"]).encode())
    (root / "library.json").write_text(json.dumps({"tracks": entries}))
    return root


async def test_library_ids_resolve_to_content_addressed_copies(tmp_path: Path) -> None:
    library = write_library(tmp_path / "library", [
        {"file": "ambient/rain.wav", "title": "Rain"},
        {"id": "sunrise", "file": "Sun Rise.wav"},
    ])
    music = tracks(tmp_path, library_dir=str(library))
    rain = await music.resolve("alpha", MusicSpec(library_track_id="ambient/rain"))
    digest = sha256_file(library / "ambient" / "rain.wav")
    assert rain.track_uri == music.artifacts.uri_for(f"library/{digest}/rain.wav")
    assert rain.track_sha256 == digest and rain.analysis_uri == "", "analysed by the job"
    again = await music.resolve("beta", MusicSpec(library_track_id="ambient/rain"))
    assert again.track_uri == rain.track_uri, "one copy for every tenant and job"
    sunrise = await music.resolve("alpha", MusicSpec(library_track_id="sunrise"))
    assert sunrise.track_name == "Sun_Rise.wav"
    assert len([f for f in stored_files(tmp_path) if f.startswith("library/")]) == 2

    with pytest.raises(InvalidArgument) as unknown:
        await music.resolve("alpha", MusicSpec(library_track_id="Sun Rise"))
    assert unknown.value.violations[0].field == "music.library_track_id"
    with pytest.raises(InvalidArgument) as none:
        await tracks(tmp_path).resolve("alpha", MusicSpec(library_track_id="sunrise"))
    assert none.value.violations[0].field == "music.library_track_id"
    (library / "library.json").write_text("{not json")
    with pytest.raises(FailedPrecondition):
        await music.resolve("alpha", MusicSpec(library_track_id="sunrise"))
