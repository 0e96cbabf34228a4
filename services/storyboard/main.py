"""`cinesynth-storyboard`: serves the Storyboard service on the shared runtime."""

from __future__ import annotations

from collections.abc import Sequence

from services.common import pb
from services.common.entrypoint import serve_cli
from services.common.server import Service
from services.storyboard.settings import StoryboardSettings


def build_service(settings: StoryboardSettings) -> Service:
    # Methods not built yet answer UNIMPLEMENTED (the generated base servicer), never a fake result.
    servicer = pb.storyboard_grpc.StoryboardServiceServicer()
    return Service(
        name="storyboard",
        service_names=[pb.STORYBOARD_SERVICE],
        register=lambda server: pb.storyboard_grpc.add_StoryboardServiceServicer_to_server(servicer, server),
    )


def main(argv: Sequence[str] | None = None) -> int:
    return serve_cli(argv, prog="cinesynth-storyboard", settings_cls=StoryboardSettings, build=build_service)


if __name__ == "__main__":
    raise SystemExit(main())
