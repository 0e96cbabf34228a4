"""The review page in real headless Chromium (Debian's chromium driven by Playwright) against the local
stack: create a film from the page, watch it live (Server-Sent Events from WatchJob, resumable by
Last-Event-ID), see the storyboard's keyframes as a contact sheet, play the MP4, edit a scene and
re-render (the unchanged keyframes come back from the cache: the same bytes)."""

from __future__ import annotations

import asyncio
import shutil
import threading
import time
import urllib.request
from collections.abc import Iterator

import pytest

from gateway.review.app import build_app
from gateway.review.client import GatewayClient
from services.common import pb
from tools.devstack import stack

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]
DURATION = 6


@pytest.fixture
def review_url(stack_config: stack.StackConfig) -> Iterator[str]:
    import uvicorn

    app = build_app(GatewayClient(stack_config.target("gateway")))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "the review app did not start"
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def keyframe_hashes(target: str, job_id: str) -> dict[str, str]:
    async def get() -> pb.video_pb2.Job:
        client = GatewayClient(target)
        try:
            return await client.get_job(job_id)
        finally:
            await client.close()

    job = asyncio.run(get())
    return {a.name: a.sha256 for a in job.artifacts if a.kind == pb.common_pb2.ARTIFACT_KIND_KEYFRAME}


def sse_ids(url: str, last_event_id: str) -> tuple[list[int], str]:
    request = urllib.request.Request(url, headers={"Last-Event-ID": last_event_id, "Accept": "text/event-stream"})
    with urllib.request.urlopen(request, timeout=60) as response:
        body = response.read().decode()
    return [int(line[4:]) for line in body.splitlines() if line.startswith("id: ")], body


@pytest.mark.e2e
def test_review_page_in_headless_chromium(review_url: str, stack_config: stack.StackConfig) -> None:
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium")
    assert chromium, "Debian's chromium is needed for the review page test (tools/system_deps.sh installs it)"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS, headless=True)
        page = browser.new_page()
        event_streams: list[str] = []
        page.on("request", lambda r: event_streams.append(r.url) if r.url.endswith("/events") else None)
        page.goto(review_url)
        page.fill("input[name=prompt]", "an old clockmaker repairs the town's tower clock before the festival")
        page.fill("input[name=duration_s]", str(DURATION))
        page.fill("input[name=scene_count]", "2")
        page.fill("input[name=fps]", "12")
        page.click("#create button[type=submit]")
        page.wait_for_url(f"{review_url}/jobs/*")
        job_id = page.url.rsplit("/", 1)[-1]
        page.wait_for_selector("#state.state-succeeded", timeout=180_000)
        assert any(job_id in url for url in event_streams), "live progress came over the event stream"
        assert page.text_content("#percent") == "100%"

        images = page.locator("#contact-sheet img")
        assert images.count() == 2
        widths = images.evaluate_all("imgs => Promise.all(imgs.map(i => i.decode().then(() => i.naturalWidth)))")
        assert all(w > 0 for w in widths)

        played = page.evaluate("""async () => {
            const v = document.getElementById('film'); v.muted = true;
            await v.play(); await new Promise(r => setTimeout(r, 700)); v.pause();
            return {duration: v.duration, time: v.currentTime, width: v.videoWidth, error: v.error && v.error.code};
        }""")
        assert played["error"] is None and played["width"] > 0 and played["time"] > 0
        assert abs(played["duration"] - DURATION) < 0.5

        # Live progress is resumable: after event 1, every later event, contiguously, then the end.
        ids, body = sse_ids(f"{review_url}/jobs/{job_id}/events", "1")
        assert ids == list(range(2, ids[-1] + 1)) and "event: end" in body

        scene = page.locator("#contact-sheet .scene").nth(1)
        scene.locator("textarea[name=visual_prompt]").fill("the tower clock at night under fireworks, wide shot")
        scene.locator("textarea[name=narration]").fill("At midnight the clock struck, and the festival began.")
        scene.locator("button[type=submit]").click()
        page.wait_for_url(lambda url: url.startswith(f"{review_url}/jobs/") and job_id not in url)
        new_id = page.url.rsplit("/", 1)[-1]
        page.wait_for_selector("#state.state-succeeded", timeout=180_000)
        assert "re-render of" in page.text_content("body")
        assert "At midnight the clock struck" in page.text_content("#contact-sheet")
        browser.close()

    before, after = keyframe_hashes(stack_config.target("gateway"), job_id), keyframe_hashes(
        stack_config.target("gateway"), new_id)
    first = next(name for name in before if "scene-00" in name)
    assert after[first] == before[first], "the unchanged scene's keyframe is the cached one"
