"""A stand-in for the AudioService's AnalyzeMusic stub (the real one is exercised in tests/integration/musicvideo)."""

from __future__ import annotations

import grpc
from grpc import aio

from services.common import pb


class StandInAudio:
    """AnalyzeMusic that answers a fixed duration, or fails with a status code."""

    def __init__(self, duration_s: float = 32.0, fail: grpc.StatusCode | None = None) -> None:
        self.duration_s = duration_s
        self.fail = fail
        self.calls: list[str] = []

    async def AnalyzeMusic(self, request, timeout=None):
        self.calls.append(request.track_uri)
        if self.fail is not None:
            raise aio.AioRpcError(self.fail, aio.Metadata(), aio.Metadata(), details="track_uri: cannot decode")
        return pb.audio_pb2.AnalyzeMusicResponse(
            analysis=pb.common_pb2.MusicAnalysis(duration_s=self.duration_s, tempo_bpm=120, beat_times_s=[0.0, 0.5])
        )


class StandInDownstream:
    """Downstream with only the audio stub (the music code calls nothing else)."""

    def __init__(self, audio: StandInAudio) -> None:
        self.audio = audio
        self.storyboard = None
        self.compositor = None
