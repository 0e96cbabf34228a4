"""`cinesynth-audio`: serves the Audio service on the shared runtime."""

from __future__ import annotations

from collections.abc import Sequence

from services.audio.settings import AudioSettings
from services.common import pb
from services.common.entrypoint import serve_cli
from services.common.server import Service


def build_service(settings: AudioSettings) -> Service:
    # Methods not built yet answer UNIMPLEMENTED (the generated base servicer), never a fake result.
    servicer = pb.audio_grpc.AudioServiceServicer()
    return Service(
        name="audio",
        service_names=[pb.AUDIO_SERVICE],
        register=lambda server: pb.audio_grpc.add_AudioServiceServicer_to_server(servicer, server),
    )


def main(argv: Sequence[str] | None = None) -> int:
    return serve_cli(argv, prog="cinesynth-audio", settings_cls=AudioSettings, build=build_service)


if __name__ == "__main__":
    raise SystemExit(main())
