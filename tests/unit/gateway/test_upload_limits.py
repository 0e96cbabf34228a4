"""UploadMusic's resource bounds, on the transport-free core with a real file:// store: a stalled
stream is dropped after the idle timeout, a tenant's concurrent uploads are capped, and the bytes
all uploads spool at once are bounded. Nothing refused is left in the store."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from gateway.downstream import Downstream
from gateway.music import MusicConfig, MusicTracks, UploadMetadata
from services.common.artifacts import FileArtifactStore
from services.common.errors import DeadlineExceeded, ResourceExhausted

WAV_HEAD = b"RIFF\x24\x00\x01\x00WAVEfmt "


def tracks(tmp_path: Path, **config: object) -> MusicTracks:
    downstream = Downstream(storyboard_target="", audio_target="", compositor_target="")
    return MusicTracks(FileArtifactStore(tmp_path / "artifacts"), downstream, MusicConfig(**config))  # type: ignore[arg-type]


async def stalled(first: bytes, release: asyncio.Event) -> AsyncIterator[bytes]:
    yield first
    await release.wait()  # a client that stops sending


async def test_a_stalled_upload_is_dropped_after_the_idle_timeout(tmp_path: Path) -> None:
    music = tracks(tmp_path, idle_timeout_s=0.2)
    with pytest.raises(DeadlineExceeded, match=r"no upload data arrived for 0\.2 s"):
        await music.upload("t1", UploadMetadata("a.wav"), stalled(WAV_HEAD, asyncio.Event()))
    assert music.spooled_bytes == 0 and not list((tmp_path / "artifacts").rglob("*"))


async def test_a_tenant_may_run_only_so_many_uploads_at_once(tmp_path: Path) -> None:
    music = tracks(tmp_path, max_uploads_per_tenant=1, idle_timeout_s=30)
    release = asyncio.Event()
    first = asyncio.create_task(music.upload("t1", UploadMetadata("a.wav"), stalled(WAV_HEAD, release)))
    await asyncio.sleep(0)  # let it start receiving
    try:
        with pytest.raises(ResourceExhausted, match="1 uploads of this tenant are in progress; the limit is 1"):
            await music.upload("t1", UploadMetadata("b.wav"), stalled(WAV_HEAD, asyncio.Event()))
        # Another tenant is not held back by it.
        other = asyncio.create_task(music.upload("t2", UploadMetadata("c.wav"), stalled(WAV_HEAD, release)))
        await asyncio.sleep(0)
        assert not other.done()
        other.cancel()
    finally:
        first.cancel()
        await asyncio.gather(first, return_exceptions=True)
    assert music.spooled_bytes == 0


async def test_spooling_is_bounded_over_all_uploads(tmp_path: Path) -> None:
    music = tracks(tmp_path, max_spool_bytes=1000)

    async def big() -> AsyncIterator[bytes]:
        yield WAV_HEAD + bytes(600 - len(WAV_HEAD))
        yield bytes(600)

    with pytest.raises(ResourceExhausted, match="too many uploads at once"):
        await music.upload("t1", UploadMetadata("big.wav"), big())
    assert music.spooled_bytes == 0 and not list((tmp_path / "artifacts").rglob("*"))
