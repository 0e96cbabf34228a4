"""`cinesynth-gateway`: serves the public VideoService on the shared runtime."""

from __future__ import annotations

from collections.abc import Sequence

from gateway.settings import GatewaySettings
from services.common import pb
from services.common.entrypoint import serve_cli
from services.common.server import Service


def build_service(settings: GatewaySettings) -> Service:
    # Methods not built yet answer UNIMPLEMENTED (the generated base servicer), never a fake result.
    servicer = pb.video_grpc.VideoServiceServicer()
    return Service(
        name="gateway",
        service_names=[pb.VIDEO_SERVICE],
        register=lambda server: pb.video_grpc.add_VideoServiceServicer_to_server(servicer, server),
    )


def main(argv: Sequence[str] | None = None) -> int:
    return serve_cli(argv, prog="cinesynth-gateway", settings_cls=GatewaySettings, build=build_service)


if __name__ == "__main__":
    raise SystemExit(main())
