"""UploadMusic and the music sources of CreateVideo on the real stack: refusals name the field, tenants are
isolated, a library track makes a music video of its own length."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest

from services.common import pb
from services.common.errors import field_violations
from tests.integration.musicvideo.conftest import LIBRARY_TRACK_ID, LIBRARY_TRACK_S, UPLOAD_CAP, LocalStack, write_track

video = pb.video_pb2
common = pb.common_pb2


def messages(data: bytes, *, filename: str = "track.wav", size_bytes: int = 0,
             chunk: int = 256 * 1024) -> Iterator[video.UploadMusicRequest]:
    yield video.UploadMusicRequest(
        metadata=video.UploadMusicMetadata(filename=filename, size_bytes=size_bytes)
    )
    for at in range(0, len(data), chunk):
        yield video.UploadMusicRequest(chunk=data[at : at + chunk])


def refused(stack: LocalStack, requests: Iterator[video.UploadMusicRequest]) -> tuple[grpc.StatusCode, list[str]]:
    with pytest.raises(grpc.RpcError) as raised:
        stack.stub.UploadMusic(requests, metadata=stack.auth(), timeout=60)
    return raised.value.code(), [v.field for v in field_violations(raised.value)]


def test_uploads_that_are_not_usable_audio_are_invalid_arguments(mv_stack: LocalStack) -> None:
    invalid = grpc.StatusCode.INVALID_ARGUMENT
    text = b"Verse 1: this is a lyrics sheet, not a recording.\n" * 40
    assert refused(mv_stack, messages(text, filename="lyrics.txt")) == (invalid, ["chunk"])
    assert refused(mv_stack, messages(b"")) == (invalid, ["chunk"])
    # Over the cap: up front when announced, else as soon as the running size passes it.
    assert refused(mv_stack, messages(b"RIFF", size_bytes=UPLOAD_CAP + 1)) == (invalid, ["metadata.size_bytes"])
    too_big = b"RIFF\x00\x00\x00\x00WAVE" + os.urandom(UPLOAD_CAP)
    assert refused(mv_stack, messages(too_big)) == (invalid, ["chunk"])
    # Right magic, no audio behind it: the audio service's decode says so, still about the content.
    fake_wav = b"RIFF\x24\x00\x01\x00WAVEfmt " + os.urandom(64 * 1024)
    assert refused(mv_stack, messages(fake_wav)) == (invalid, ["chunk"])
    # The stream must open with the metadata.
    only_chunks = iter([video.UploadMusicRequest(chunk=b"RIFF\x00\x00\x00\x00WAVE")])
    assert refused(mv_stack, only_chunks) == (invalid, ["metadata"])
    # Nothing refused was kept (the undecodable one was stored, then removed), not even an empty folder.
    assert not list((mv_stack.root / "artifacts" / "uploads").rglob("*"))


def test_cli_refuses_bad_music_files(mv_stack: LocalStack, tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    cases = {
        "notes.txt": b"not audio at all, just some notes\n" * 10,
        "empty.wav": b"",
        "huge.wav": b"RIFF\x00\x00\x00\x00WAVE" + bytes(UPLOAD_CAP),
    }
    for name, data in cases.items():
        path = tmp_path / name
        path.write_bytes(data)
        code = mv_stack.cli("generate", "--music", str(path), "--out", str(tmp_path / "x.mp4"))
        err = capsys.readouterr().err
        assert code == 1, (name, err)
        field = "metadata.size_bytes" if name == "huge.wav" else "chunk"
        assert "INVALID_ARGUMENT" in err and f"  {field}:" in err, (name, err)
    with pytest.raises(SystemExit, match="no such file"):  # checked before anything is sent
        mv_stack.cli("generate", "--music", str(tmp_path / "missing.wav"))
    assert not (tmp_path / "x.mp4").exists()


def test_upload_ids_are_per_tenant_and_library_tracks_make_videos(mv_stack: LocalStack, tmp_path: Path) -> None:
    data = write_track(tmp_path / "short.wav", 6.0, None).read_bytes()
    uploaded = mv_stack.stub.UploadMusic(messages(data, filename="../../short take.wav"),
                                         metadata=mv_stack.auth("alpha"), timeout=120)
    assert len(uploaded.upload_id) == 32 and uploaded.size_bytes == len(data)
    assert abs(uploaded.duration_s - 6.0) < 0.01
    stored = list((mv_stack.root / "artifacts" / "uploads" / "alpha" / uploaded.upload_id).iterdir())
    assert sorted(p.name for p in stored) == ["analysis.json", "short_take.wav", "upload.json"]

    spec = video.VideoSpec(width=160, height=90, fps=12)
    other = video.CreateVideoRequest(music=video.MusicInput(upload_id=uploaded.upload_id), spec=spec)
    with pytest.raises(grpc.RpcError) as raised:
        mv_stack.stub.CreateVideo(other, metadata=mv_stack.auth("beta"), timeout=30)
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert [v.field for v in field_violations(raised.value)] == ["music.upload_id"]

    unknown = video.CreateVideoRequest(music=video.MusicInput(library_track_id="no-such-track"), spec=spec)
    with pytest.raises(grpc.RpcError) as raised:
        mv_stack.stub.CreateVideo(unknown, metadata=mv_stack.auth(), timeout=30)
    assert [v.field for v in field_violations(raised.value)] == ["music.library_track_id"]

    # A library track: copied into the store, analysed in ANALYZE_MUSIC, as long as the track.
    library = video.CreateVideoRequest(
        music=video.MusicInput(library_track_id=LIBRARY_TRACK_ID, mv_type=common.MV_TYPE_NATURE_SCENIC), spec=spec
    )
    job = None
    for response in mv_stack.stub.GenerateVideo(video.GenerateVideoRequest(request=library),
                                                metadata=mv_stack.auth(), timeout=180):
        if response.event.HasField("job"):
            job = response.event.job
    assert job is not None and job.state == video.JOB_STATE_SUCCEEDED, job
    assert abs(job.spec.duration_s - LIBRARY_TRACK_S) < 0.01
    analyse = next(t for t in job.timings if t.stage == video.JOB_STAGE_ANALYZE_MUSIC)
    assert analyse.seconds > 0
    music = next(a for a in job.artifacts if a.kind == common.ARTIFACT_KIND_MUSIC)
    # Clients see the artifact by job and name; the library copy itself lives under library/<sha256>/.
    assert music.uri == f"{job.name}/artifacts/{music.name}"
    assert any(mv_stack.store.root.glob(f"library/{music.sha256}/*"))
    assert not any(a.kind == common.ARTIFACT_KIND_CAPTIONS_SRT for a in job.artifacts), "no lyrics, no narration"
    assert job.storyboard.mv_description.overview
    assert sum(s.duration_s for s in job.storyboard.scenes) == pytest.approx(LIBRARY_TRACK_S, abs=1e-6)
