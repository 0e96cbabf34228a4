"""`cinesynth-compositor`: serves the Compositor service on the shared runtime."""

from __future__ import annotations

from collections.abc import Sequence

from services.common import pb
from services.common.entrypoint import serve_cli
from services.common.server import Service
from services.compositor.settings import CompositorSettings


def build_service(settings: CompositorSettings) -> Service:
    # Methods not built yet answer UNIMPLEMENTED (the generated base servicer), never a fake result.
    servicer = pb.compositor_grpc.CompositorServiceServicer()
    return Service(
        name="compositor",
        service_names=[pb.COMPOSITOR_SERVICE],
        register=lambda server: pb.compositor_grpc.add_CompositorServiceServicer_to_server(servicer, server),
    )


def main(argv: Sequence[str] | None = None) -> int:
    return serve_cli(argv, prog="cinesynth-compositor", settings_cls=CompositorSettings, build=build_service)


if __name__ == "__main__":
    raise SystemExit(main())
