"""The review page (Starlette): list jobs, watch progress live, the storyboard as a contact sheet of its
keyframes, edit a scene's text and re-render, play the MP4. It is a client of the public VideoService
only, so it runs beside any gateway:

    cinesynth-review --gateway localhost:50051 --port 8080 [--api-key KEY]

Live progress is Server-Sent Events fed by WatchJob; the browser's EventSource resends the last event id
on reconnect and the stream resumes with WatchJob(after_sequence=...), so no event is lost or repeated.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import grpc
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import Route

from gateway.review.client import TERMINAL, GatewayClient, SceneEdit, common, video

TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).with_name("templates")), autoescape=select_autoescape(["html"])
)
STATE_NAMES = {v.number: v.name.removeprefix("JOB_STATE_").lower() for v in video.JobState.DESCRIPTOR.values}
STAGE_NAMES = {v.number: v.name.removeprefix("JOB_STAGE_").lower() for v in video.JobStage.DESCRIPTOR.values}
MAX_TEXT = 4000


def _render(name: str, **context: object) -> HTMLResponse:
    context.update(state_name=STATE_NAMES, stage_name=STAGE_NAMES, terminal=TERMINAL)
    return HTMLResponse(TEMPLATES.get_template(name).render(**context))


def _error(error: grpc.aio.AioRpcError) -> Response:
    status = {grpc.StatusCode.NOT_FOUND: 404, grpc.StatusCode.INVALID_ARGUMENT: 400,
              grpc.StatusCode.ALREADY_EXISTS: 409, grpc.StatusCode.UNAUTHENTICATED: 401}.get(error.code(), 502)
    return PlainTextResponse(f"{error.code().name}: {error.details()}", status_code=status)


def build_app(client: GatewayClient) -> Starlette:
    async def index(request: Request) -> Response:
        try:
            jobs = await client.list_jobs()
        except grpc.aio.AioRpcError as exc:
            return _error(exc)
        return _render("index.html", jobs=jobs)

    async def create(request: Request) -> Response:
        form = await request.form()
        prompt = str(form.get("prompt", ""))[:MAX_TEXT]
        try:
            spec = video.VideoSpec(
                duration_s=float(form.get("duration_s") or 0), scene_count=int(form.get("scene_count") or 0),
                fps=int(form.get("fps") or 0), tier=common.TIER_DRAFT,
            )
        except ValueError:
            return PlainTextResponse("duration_s, scene_count and fps must be numbers", status_code=400)
        try:
            job = await client.create_from_prompt(prompt, spec, str(form.get("request_id") or uuid.uuid4()))
        except grpc.aio.AioRpcError as exc:
            return _error(exc)
        return RedirectResponse(f"/jobs/{job.id}", status_code=303)

    async def job_page(request: Request) -> Response:
        try:
            job = await client.get_job(request.path_params["job_id"])
        except grpc.aio.AioRpcError as exc:
            return _error(exc)
        keyframes = {a.name: a for a in job.artifacts if a.kind == common.ARTIFACT_KIND_KEYFRAME}
        by_scene = {}
        for name in keyframes:  # "keyframes/scene-00.png" (listed in scene order)
            stem = Path(name).stem
            if stem.startswith("scene-") and stem[6:].isdigit():
                by_scene[int(stem[6:])] = name
        video_artifact = next((a for a in job.artifacts if a.kind == common.ARTIFACT_KIND_VIDEO), None)
        return _render("job.html", job=job, keyframes=by_scene, video=video_artifact)

    async def rerender(request: Request) -> Response:
        form = await request.form()
        try:
            job = await client.get_job(request.path_params["job_id"])
            edit = SceneEdit(int(request.path_params["index"]), str(form.get("narration", ""))[:MAX_TEXT],
                             str(form.get("visual_prompt", ""))[:MAX_TEXT])
            new = await client.rerender(job, edit, str(form.get("request_id") or uuid.uuid4()))
        except grpc.aio.AioRpcError as exc:
            return _error(exc)
        except ValueError as exc:
            return PlainTextResponse(str(exc), status_code=400)
        return RedirectResponse(f"/jobs/{new.id}", status_code=303)

    async def events(request: Request) -> Response:
        job_id = request.path_params["job_id"]
        last = request.headers.get("last-event-id", "")
        after = int(last) if last.isdigit() else 0

        async def stream() -> AsyncIterator[str]:
            try:
                async for event in client.watch(job_id, after):
                    data = {
                        "sequence": event.sequence, "state": STATE_NAMES[event.state],
                        "stage": STAGE_NAMES[event.stage], "progress": round(event.progress, 4),
                        "eta_s": round(event.eta_s, 1), "message": event.message,
                        "terminal": event.state in TERMINAL,
                    }
                    yield f"id: {event.sequence}\nevent: job\ndata: {json.dumps(data)}\n\n"
                    if event.state in TERMINAL:
                        yield "event: end\ndata: {}\n\n"
            except grpc.aio.AioRpcError as exc:
                yield f"event: failure\ndata: {json.dumps({'error': exc.details() or exc.code().name})}\n\n"

        return StreamingResponse(stream(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})

    async def artifact(request: Request) -> Response:
        name = request.path_params["name"]
        try:
            header, chunks = await client.download(request.path_params["job_id"], name)
        except grpc.aio.AioRpcError as exc:
            return _error(exc)
        if header is None:
            return PlainTextResponse("no such artifact", status_code=404)
        headers = {"Content-Length": str(header.size_bytes), "Cache-Control": "private, max-age=3600"}
        return StreamingResponse(chunks, media_type=header.mime_type or "application/octet-stream", headers=headers)

    routes = [
        Route("/", index),
        Route("/jobs", create, methods=["POST"]),
        Route("/jobs/{job_id:str}", job_page),
        Route("/jobs/{job_id:str}/events", events),
        Route("/jobs/{job_id:str}/scenes/{index:int}/rerender", rerender, methods=["POST"]),
        Route("/jobs/{job_id:str}/artifacts/{name:path}", artifact),
    ]

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        await client.close()

    return Starlette(routes=routes, lifespan=lifespan)


def main(argv: list[str] | None = None) -> None:
    import uvicorn

    parser = argparse.ArgumentParser(description="cinesynth review page")
    parser.add_argument("--gateway", default="localhost:50051", help="host:port of the VideoService")
    parser.add_argument("--api-key", default="", help="API key of the tenant to review (when the gateway has keys)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    args = parser.parse_args(argv)
    uvicorn.run(build_app(GatewayClient(args.gateway, args.api_key)), host=args.host, port=args.port)


if __name__ == "__main__":
    main()
