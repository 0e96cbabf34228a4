"""`cinesynth-audio`: serves the Audio service on the shared runtime."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from services.audio.core import WORKDIR_PREFIX, AudioEngine
from services.audio.servicer import AudioServicer
from services.audio.settings import AudioSettings
from services.common import pb
from services.common.entrypoint import serve_cli
from services.common.server import Service
from services.common.workdirs import sweep_stale_workdirs


def build_service(settings: AudioSettings, engine: AudioEngine | None = None) -> Service:
    engine = engine or AudioEngine(settings)
    servicer = AudioServicer(engine, settings.max_parallel_soundtracks)

    async def start() -> None:
        # Scratch folders of a previous process that was killed mid-job.
        await asyncio.to_thread(sweep_stale_workdirs, WORKDIR_PREFIX)
        # Health stays NOT_SERVING until the voice (and the library index) are loaded.
        if settings.preload:
            await asyncio.to_thread(engine.warm)

    return Service(
        name="audio",
        service_names=[pb.AUDIO_SERVICE],
        register=lambda server: pb.audio_grpc.add_AudioServiceServicer_to_server(servicer, server),
        start=start,
        extra={"engine": engine},
    )


def main(argv: Sequence[str] | None = None) -> int:
    return serve_cli(argv, prog="cinesynth-audio", settings_cls=AudioSettings, build=build_service)


if __name__ == "__main__":
    raise SystemExit(main())
