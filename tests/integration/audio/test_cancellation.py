"""Cancelling CreateSoundtrack (or letting its deadline pass) stops the work on the service's worker
thread: within 2 s no CPU is used for the job by the service (its threads and children are measured)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import grpc
import pytest
from grpc import aio

from services.audio.main import build_service
from services.audio.settings import AudioSettings
from services.common import pb
from tests.support import IDLE_CPU_S, cpu_after_cancel, process_tree_cpu_s, serve_in_process, test_settings, until

audio = pb.audio_pb2
common = pb.common_pb2


@pytest.fixture
async def stub(tmp_path: Path) -> AsyncIterator[pb.audio_grpc.AudioServiceStub]:
    settings = test_settings(AudioSettings, artifact_store=(tmp_path / "store").as_uri(), preload=False)
    async with serve_in_process(build_service(settings), settings) as runtime:
        async with aio.insecure_channel(f"127.0.0.1:{runtime.port}") as channel:
            stub = pb.audio_grpc.AudioServiceStub(channel)
            # A short job first, as a warm service has done: its lazy imports (scipy, ...) are not
            # cancellable and are not the job's work.
            await stub.CreateSoundtrack(soundtrack(seconds=2.0), timeout=300)
            yield stub


def soundtrack(seconds: float, scenes: int = 1) -> audio.CreateSoundtrackRequest:
    parts = [audio.SoundtrackScene(index=i, narration="", duration_s=seconds / scenes) for i in range(scenes)]
    return audio.CreateSoundtrackRequest(
        scenes=parts, total_duration_s=seconds, voice=common.VoiceOptions(voice="none"),
        music_source=common.MUSIC_SOURCE_PROCEDURAL, music_brief=common.MusicBrief(mood="tense", genre="orchestral"),
        output_prefix="jobs/cancel/audio",
    )


def long_soundtrack() -> audio.CreateSoundtrackRequest:
    """Fifteen minutes (the most allowed) of procedural score: far more work than the test waits for."""
    return soundtrack(900.0, scenes=15)


async def _working(since: float) -> None:
    """Wait until the render is burning CPU (a worker thread at work, not just a request in flight)."""
    await until(lambda: process_tree_cpu_s() - since > 0.5, timeout=120)


async def test_a_cancelled_soundtrack_stops_using_cpu_within_2_s(stub: pb.audio_grpc.AudioServiceStub) -> None:
    before = process_tree_cpu_s()
    call = stub.CreateSoundtrack(long_soundtrack(), timeout=600)
    await _working(before)
    call.cancel()
    with pytest.raises(asyncio.CancelledError):
        await call
    assert await cpu_after_cancel() < IDLE_CPU_S


async def test_a_soundtrack_past_its_deadline_stops_using_cpu_within_2_s(
    stub: pb.audio_grpc.AudioServiceStub,
) -> None:
    before = process_tree_cpu_s()
    started = time.monotonic()
    call = stub.CreateSoundtrack(long_soundtrack(), timeout=3.0)
    await _working(before)
    with pytest.raises(grpc.RpcError) as ended:
        await call
    assert ended.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    assert time.monotonic() - started < 60  # the call ended at its deadline, not when the render would have
    assert await cpu_after_cancel() < IDLE_CPU_S
