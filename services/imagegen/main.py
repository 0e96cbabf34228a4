"""`cinesynth-imagegen`: serves the ImageGen service on the shared runtime."""

from __future__ import annotations

from collections.abc import Sequence

from services.common import pb
from services.common.entrypoint import serve_cli
from services.common.server import Service
from services.imagegen.settings import ImageGenSettings


def build_service(settings: ImageGenSettings) -> Service:
    # Methods not built yet answer UNIMPLEMENTED (the generated base servicer), never a fake result.
    servicer = pb.imagegen_grpc.ImageGenServiceServicer()
    return Service(
        name="imagegen",
        service_names=[pb.IMAGEGEN_SERVICE],
        register=lambda server: pb.imagegen_grpc.add_ImageGenServiceServicer_to_server(servicer, server),
    )


def main(argv: Sequence[str] | None = None) -> int:
    return serve_cli(argv, prog="cinesynth-imagegen", settings_cls=ImageGenSettings, build=build_service)


if __name__ == "__main__":
    raise SystemExit(main())
