"""`cinesynth-compositor`: serves the Compositor service on the shared runtime.

`cinesynth-compositor render ...` composes local files with the core, without a server.
"""

from __future__ import annotations

from collections.abc import Sequence

from services.common import pb
from services.common.artifacts import open_store
from services.common.entrypoint import Command, serve_cli
from services.common.server import Service
from services.compositor import cli
from services.compositor.core import Compositor
from services.compositor.servicer import CompositorServicer
from services.compositor.settings import CompositorSettings


def build_service(settings: CompositorSettings) -> Service:
    store = open_store(settings.artifact_store, endpoint_url=settings.s3_endpoint_url, region=settings.s3_region)
    servicer = CompositorServicer(Compositor(settings, store), settings.max_parallel_jobs)
    return Service(
        name="compositor",
        service_names=[pb.COMPOSITOR_SERVICE],
        register=lambda server: pb.compositor_grpc.add_CompositorServiceServicer_to_server(servicer, server),
    )


def main(argv: Sequence[str] | None = None) -> int:
    return serve_cli(
        argv, prog="cinesynth-compositor", settings_cls=CompositorSettings, build=build_service,
        commands={"render": Command(cli.HELP, cli.configure, cli.run)},
    )


if __name__ == "__main__":
    raise SystemExit(main())
