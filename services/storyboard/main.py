"""`cinesynth-storyboard`: serves the Storyboard service on the shared runtime.

    cinesynth-storyboard [serve] [--port N]      the gRPC server
    cinesynth-storyboard eval REFS.jsonl         BLEU and semantic coherence against reference scripts
    cinesynth-storyboard faithfulness [PROMPTS]  each storyboard against its own prompt (MiniLM retrieval, ...)
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from services.common import pb
from services.common.entrypoint import Command, serve_cli
from services.common.server import Service
from services.storyboard import evaluation, faithfulness, scene_sound
from services.storyboard.backends import BackendError
from services.storyboard.core import StoryboardWriter
from services.storyboard.servicer import StoryboardServicer
from services.storyboard.settings import StoryboardSettings

log = logging.getLogger(__name__)

COMMANDS = {
    "eval": Command(help=evaluation.HELP, configure=evaluation.configure, run=evaluation.run),
    "faithfulness": Command(help=faithfulness.HELP, configure=faithfulness.configure, run=faithfulness.run),
}


def build_service(settings: StoryboardSettings) -> Service:
    writer = StoryboardWriter(settings)
    servicer = StoryboardServicer(writer)

    async def start() -> None:
        await asyncio.to_thread(scene_sound.warm)
        try:
            await asyncio.to_thread(writer.warm)
        except BackendError as error:
            # Still useful without the model: requests fall back to the planner, with a warning each.
            log.error("storyboard model not loaded; requests will fall back to the planner",
                      extra={"error": str(error)})

    async def stop() -> None:
        writer.close()

    return Service(
        name="storyboard",
        service_names=[pb.STORYBOARD_SERVICE],
        register=lambda server: pb.storyboard_grpc.add_StoryboardServiceServicer_to_server(servicer, server),
        start=start,
        stop=stop,
        extra={"writer": writer},
    )


def main(argv: Sequence[str] | None = None) -> int:
    return serve_cli(
        argv, prog="cinesynth-storyboard", settings_cls=StoryboardSettings, build=build_service, commands=COMMANDS,
        description="Storyboard service: a prompt (or a music track) in, a multi-scene storyboard out.",
    )


if __name__ == "__main__":
    raise SystemExit(main())
