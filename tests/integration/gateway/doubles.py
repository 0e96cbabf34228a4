"""Test doubles of the internal services: REAL gRPC servers on loopback implementing their contract.

They count calls, write small artifacts into the shared file:// store, and can be made slow, made
to block on an event, or made to fail with a given status — enough to prove the gateway's
orchestration, retries, cancellation and resume without models or ffmpeg.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import grpc
from grpc import aio

from services.common import errors, pb
from services.common.artifacts import ArtifactStore
from services.common.server import create_server

common = pb.common_pb2

PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"keyframe" * 64
MP4_BYTES = b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 40  # ~10 KiB: several download chunks


def _artifact(store: ArtifactStore, key: str, data: bytes, kind: int) -> common.Artifact:
    stored = store.put_bytes(key, data)
    return common.Artifact(
        name=key.rsplit("/", 1)[-1], uri=stored.uri, mime_type=stored.mime_type, size_bytes=stored.size_bytes,
        sha256=stored.sha256, kind=kind,
    )


_FAILURES = {
    "exhausted": errors.ResourceExhausted("worker queue is full"),
    "unavailable": errors.Unavailable("worker is warming up"),
    "precondition": errors.FailedPrecondition("this worker cannot render that tier"),
    "invalid": errors.InvalidArgument.field("keyframes[0].prompt", "rejected by the test"),
}


class FakeStoryboard(pb.storyboard_grpc.StoryboardServiceServicer):
    def __init__(self, *, warning: bool = True) -> None:
        self.requests: list[pb.storyboard_pb2.CreateStoryboardRequest] = []
        self.warning = warning
        self.fail: str | None = None
        self.mutate: Callable[[Any], None] | None = None  # edits each response (e.g. a NaN in a double)

    async def CreateStoryboard(self, request, context):
        response = await self._create(request)
        if self.mutate is not None:
            self.mutate(response)
        return response

    async def _create(self, request):
        self.requests.append(request)
        if self.fail:
            raise _FAILURES[self.fail]
        if request.HasField("storyboard"):
            storyboard = common.Storyboard()
            storyboard.CopyFrom(request.storyboard)
            storyboard.total_duration_s = sum(s.duration_s for s in storyboard.scenes)
            return pb.storyboard_pb2.CreateStoryboardResponse(storyboard=storyboard)
        count = request.scene_count or 5
        duration = request.duration_s or 60.0
        each = duration / count
        scenes = [
            common.Scene(
                index=i, title=f"Scene {i}", description=f"scene {i} of {request.prompt}",
                visual_prompt=f"{request.prompt}, shot {i}, cinematic", negative_prompt="blurry",
                narration=f"Narration for scene {i}.", duration_s=each, start_s=i * each, mood="calm",
                transition=common.TRANSITION_KIND_CROSSFADE, transition_s=0.5,
                shot=common.ShotDomains(camera_pose=common.CameraMotion(zoom=1.1, move="dolly-in")),
            )
            for i in range(count)
        ]
        provenance = common.StoryboardProvenance(backend=common.STORYBOARD_BACKEND_PLANNER)
        if self.warning:
            provenance.warnings.append(
                common.Warning(code="storyboard_parse_fallback", message="planner wrote it", stage="storyboard")
            )
        storyboard = common.Storyboard(
            title="A test film", scenes=scenes, total_duration_s=duration, seed=request.seed, prompt=request.prompt,
            music=common.MusicBrief(mood="calm", genre="ambient", tempo_bpm=90), provenance=provenance,
        )
        return pb.storyboard_pb2.CreateStoryboardResponse(storyboard=storyboard)


class FakeImageGen(pb.imagegen_grpc.ImageGenServiceServicer):
    """One worker. `mode` ok | exhausted | unavailable | precondition | invalid; `gate` blocks renders."""

    def __init__(
        self, store: ArtifactStore, *, name: str = "worker", mode: str = "ok", tier: int = 0,
        delay_s: float = 0.0, model: str = "fake-model",
    ) -> None:
        self.store = store
        self.name = name
        self.mode = mode
        self.tier = tier
        self.delay_s = delay_s
        self.model = model
        self.gate: asyncio.Event | None = None
        self.gate_ids: set[str] | None = None  # None = every keyframe waits on the gate
        self.calls = 0
        self.started: Counter[str] = Counter()
        self.completed: Counter[str] = Counter()
        self.cancelled: Counter[str] = Counter()
        self.requested_tiers: Counter[int] = Counter()
        self.inflight = 0
        self.max_inflight = 0
        self.any_started = asyncio.Event()
        self.mutate: Callable[[Any], None] | None = None

    async def GenerateKeyframes(self, request, context):
        self.calls += 1
        if self.mode != "ok":
            raise _FAILURES[self.mode]
        for spec in request.keyframes:
            self.started[spec.id] += 1
            self.requested_tiers[spec.tier] += 1
            self.any_started.set()
            self.inflight += 1
            self.max_inflight = max(self.max_inflight, self.inflight)
            try:
                if self.gate is not None and (self.gate_ids is None or spec.id in self.gate_ids):
                    await self.gate.wait()
                await asyncio.sleep(self.delay_s)
            except asyncio.CancelledError:
                self.cancelled[spec.id] += 1
                raise
            finally:
                self.inflight -= 1
            image = await asyncio.to_thread(
                _artifact, self.store, f"{request.output_prefix}/{spec.id}.png", PNG_BYTES + spec.id.encode(),
                common.ARTIFACT_KIND_KEYFRAME,
            )
            self.completed[spec.id] += 1
            response = pb.imagegen_pb2.GenerateKeyframesResponse(
                keyframe=pb.imagegen_pb2.Keyframe(
                    id=spec.id, image=image, model=self.model, tier=self.tier or spec.tier or common.TIER_DRAFT,
                    seed=spec.seed, width=spec.width, height=spec.height,
                )
            )
            if self.mutate is not None:
                self.mutate(response)
            yield response

    async def GetNodeInfo(self, request, context):
        return pb.imagegen_pb2.GetNodeInfoResponse(device_kind="cpu", tier=self.tier, model=self.model)


class FakeAudio(pb.audio_grpc.AudioServiceServicer):
    def __init__(self, store: ArtifactStore) -> None:
        self.store = store
        self.requests: list[pb.audio_pb2.CreateSoundtrackRequest] = []
        self.wait_for: asyncio.Event | None = None  # e.g. "a keyframe started": proves the stages overlap
        self.overlapped = False
        self.delay_s = 0.0
        self.fail: str | None = None
        self.mutate: Callable[[Any], None] | None = None

    async def CreateSoundtrack(self, request, context):
        response = await self._soundtrack(request)
        if self.mutate is not None:
            self.mutate(response)
        return response

    async def _soundtrack(self, request):
        self.requests.append(request)
        if self.fail:
            raise _FAILURES[self.fail]
        if self.wait_for is not None:
            try:
                async with asyncio.timeout(10):
                    await self.wait_for.wait()
                self.overlapped = True
            except TimeoutError:
                raise errors.FailedPrecondition("keyframes never started while the soundtrack ran") from None
        await asyncio.sleep(self.delay_s)
        prefix = request.output_prefix
        srt = "1\n00:00:00,000 --> 00:00:02,000\nNarration for scene 0.\n"
        return pb.audio_pb2.CreateSoundtrackResponse(
            wav=await asyncio.to_thread(_artifact, self.store, f"{prefix}/soundtrack.wav", b"RIFF" + b"\0" * 512, 0),
            aac=await asyncio.to_thread(
                _artifact, self.store, f"{prefix}/soundtrack.m4a", b"m4a" * 100, common.ARTIFACT_KIND_SOUNDTRACK
            ),
            srt=await asyncio.to_thread(
                _artifact, self.store, f"{prefix}/captions.srt", srt.encode(), common.ARTIFACT_KIND_CAPTIONS_SRT
            ),
            vtt=await asyncio.to_thread(
                _artifact, self.store, f"{prefix}/captions.vtt", b"WEBVTT\n\n" + srt.encode(),
                common.ARTIFACT_KIND_CAPTIONS_VTT,
            ),
            voice_used="piper", music_source_used=common.MUSIC_SOURCE_PROCEDURAL, music_title="procedural calm",
            duration_s=request.total_duration_s,
            warnings=[common.Warning(code="music_fallback", message="no library: procedural", stage="soundtrack")],
            # Scene sound: one credit per scene ambience asked for, and the layers' levels.
            sound_credits=[
                common.SoundCredit(layer="ambience", sound_id=f"builtin/{s.sound.ambience}", license="CC0-1.0",
                                   attribution="procedural", scene_indexes=[s.index])
                for s in request.scenes if s.sound.ambience and request.scene_sound != common.SCENE_SOUND_MODE_OFF
            ],
            layer_levels=[common.SoundLayerLevel(layer="voice", rms_dbfs=-18.0, active_rms_dbfs=-16.0)],
            scene_sound_used=request.scene_sound or common.SCENE_SOUND_MODE_FULL,
        )

    async def AnalyzeMusic(self, request, context):
        return pb.audio_pb2.AnalyzeMusicResponse(analysis=common.MusicAnalysis(duration_s=30, tempo_bpm=120))


class FakeCompositor(pb.compositor_grpc.CompositorServiceServicer):
    def __init__(self, store: ArtifactStore) -> None:
        self.store = store
        self.requests: list[pb.compositor_pb2.ComposeVideoRequest] = []
        self.progress_steps = 4
        self.step_delay_s = 0.0
        self.gate: asyncio.Event | None = None
        self.mutate: Callable[[Any], None] | None = None

    async def ComposeVideo(self, request, context):
        self.requests.append(request)
        for scene in request.scenes:  # every keyframe it is given must exist
            if not self.store.exists(scene.keyframe_uri):
                raise errors.NotFound(f"keyframe missing: {scene.keyframe_uri}")
        total = round(sum(s.duration_s for s in request.scenes) * request.fps)
        if self.gate is not None:
            await self.gate.wait()
        for step in range(1, self.progress_steps + 1):
            await asyncio.sleep(self.step_delay_s)
            done = total * step // self.progress_steps
            yield pb.compositor_pb2.ComposeVideoResponse(
                progress=pb.compositor_pb2.ComposeProgress(frames_done=done, frames_total=total)
            )
        prefix = request.output_prefix
        video = await asyncio.to_thread(
            _artifact, self.store, f"{prefix}/video.mp4", MP4_BYTES, common.ARTIFACT_KIND_VIDEO
        )
        poster = await asyncio.to_thread(
            _artifact, self.store, f"{prefix}/poster.jpg", b"\xff\xd8\xff" + b"p" * 50, common.ARTIFACT_KIND_POSTER
        )
        response = pb.compositor_pb2.ComposeVideoResponse(
            result=pb.compositor_pb2.ComposeResult(
                video=video, poster=poster, frame_count=total, duration_s=total / request.fps, fps=request.fps,
                width=request.width, height=request.height, encoder="libx264",
            )
        )
        if self.mutate is not None:
            self.mutate(response)
        yield response


@dataclass
class Doubles:
    store: ArtifactStore
    storyboard: FakeStoryboard
    audio: FakeAudio
    compositor: FakeCompositor
    imagegen: list[FakeImageGen]
    # tier -> workers of that tier's own pool
    pools: dict[str, list[FakeImageGen]] = field(default_factory=dict)
    targets: dict[str, str] = field(default_factory=dict)
    imagegen_targets: dict[str, str] = field(default_factory=dict)
    # name ("storyboard", "audio", "compositor", "imagegen-0", ...) -> (server, servicer, add, port)
    servers: dict[str, tuple[aio.Server, object, object, int]] = field(default_factory=dict)

    async def kill(self, name: str) -> None:
        """Stop a double at once (in-flight calls are cut off), as a killed pod would be."""
        server = self.servers[name][0]
        await server.stop(0)

    async def restart(self, name: str) -> None:
        """Serve the same servicer again on the same port (a pod back behind its Service)."""
        _, servicer, add, port = self.servers[name]
        server, _ = create_server(f"127.0.0.1:{port}")
        add(servicer, server)  # type: ignore[operator]
        await server.start()
        self.servers[name] = (server, servicer, add, port)

    def keyframes_completed(self) -> Counter[str]:
        total: Counter[str] = Counter()
        for worker in [*self.imagegen, *(w for ws in self.pools.values() for w in ws)]:
            total.update(worker.completed)
        return total

    def keyframes_cancelled(self) -> Counter[str]:
        total: Counter[str] = Counter()
        for worker in [*self.imagegen, *(w for ws in self.pools.values() for w in ws)]:
            total.update(worker.cancelled)
        return total


async def _serve(servicer: object, add: object) -> tuple[aio.Server, int]:
    server, port = create_server("127.0.0.1:0")
    add(servicer, server)  # type: ignore[operator]
    await server.start()
    return server, port


def _ipv4_list(ports: list[int]) -> str:
    return "ipv4:" + ",".join(f"127.0.0.1:{p}" for p in ports)


@contextlib.asynccontextmanager
async def running_doubles(
    store: ArtifactStore,
    *,
    workers: list[FakeImageGen] | None = None,
    pools: dict[str, list[FakeImageGen]] | None = None,
) -> AsyncIterator[Doubles]:
    """Start the four services (imagegen: `workers`, default one, plus per-tier `pools`) on loopback."""
    doubles = Doubles(
        store=store, storyboard=FakeStoryboard(), audio=FakeAudio(store), compositor=FakeCompositor(store),
        imagegen=workers if workers is not None else [FakeImageGen(store)], pools=pools or {},
    )
    servers: list[aio.Server] = []
    try:
        for name, servicer, add in (
            ("storyboard", doubles.storyboard, pb.storyboard_grpc.add_StoryboardServiceServicer_to_server),
            ("audio", doubles.audio, pb.audio_grpc.add_AudioServiceServicer_to_server),
            ("compositor", doubles.compositor, pb.compositor_grpc.add_CompositorServiceServicer_to_server),
        ):
            server, port = await _serve(servicer, add)
            doubles.servers[name] = (server, servicer, add, port)
            doubles.targets[name] = f"127.0.0.1:{port}"
        ports = []
        for i, worker in enumerate(doubles.imagegen):
            add_imagegen = pb.imagegen_grpc.add_ImageGenServiceServicer_to_server
            server, port = await _serve(worker, add_imagegen)
            doubles.servers[f"imagegen-{i}"] = (server, worker, add_imagegen, port)
            ports.append(port)
        doubles.targets["imagegen"] = _ipv4_list(ports)
        for tier, tier_workers in doubles.pools.items():
            tier_ports = []
            for worker in tier_workers:
                server, port = await _serve(worker, pb.imagegen_grpc.add_ImageGenServiceServicer_to_server)
                servers.append(server)
                tier_ports.append(port)
            doubles.imagegen_targets[tier] = _ipv4_list(tier_ports)
        yield doubles
    finally:
        servers += [entry[0] for entry in doubles.servers.values()]
        await asyncio.gather(*(server.stop(0) for server in servers), return_exceptions=True)


def rpc_code(error: BaseException) -> grpc.StatusCode | None:
    return error.code() if isinstance(error, grpc.RpcError) else None
