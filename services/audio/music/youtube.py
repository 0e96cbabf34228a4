"""Music from YouTube (the paper's source): pytubefix search by the brief's query, audio-only stream.

Guards: only YouTube hosts (checked on the stream URL and on every redirect), a size cap enforced
while streaming, and one time budget for search + resolve + download. pytubefix has no timeout on
its API calls, so the whole fetch runs on a daemon thread that is abandoned when the budget is
spent; the download itself also stops at the deadline.
"""

from __future__ import annotations

import concurrent.futures
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qs, urlparse

CHUNK = 64 * 1024
WATCH_HOSTS = ("youtube.com", "www.youtube.com", "m.youtube.com", "music.youtube.com", "youtu.be")
_VIDEO_ID_CHARS = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")


class MusicUnavailable(Exception):
    """A music source could not deliver (offline, timed out, nothing found, too big, refused host)."""


LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


def host_allowed(url: str, allowed_hosts: Sequence[str]) -> bool:
    """True when `url` is https on one of `allowed_hosts` or a subdomain of one (plain http only for
    a loopback host, i.e. a local relay or test double)."""
    parsed = urlparse(url)
    host = (parsed.hostname or "").lower().rstrip(".")
    if not host or parsed.scheme not in ("https", "http"):
        return False
    if parsed.scheme == "http" and host not in LOOPBACK_HOSTS:
        return False
    return any(host == h or host.endswith("." + h) for h in (a.lower().lstrip(".") for a in allowed_hosts))


def youtube_video_id(url: str) -> str | None:
    """The video id of a YouTube watch/short/embed/youtu.be URL, or None when it is not one."""
    parsed = urlparse(url)
    host = (parsed.hostname or "").lower()
    if parsed.scheme not in ("https", "http") or host not in WATCH_HOSTS:
        return None
    if host == "youtu.be":
        candidate = parsed.path.strip("/").split("/")[0]
    elif parsed.path == "/watch":
        candidate = (parse_qs(parsed.query).get("v") or [""])[0]
    else:
        parts = parsed.path.strip("/").split("/")
        candidate = parts[1] if len(parts) >= 2 and parts[0] in ("shorts", "embed", "live", "v") else ""
    if len(candidate) == 11 and set(candidate) <= _VIDEO_ID_CHARS:
        return candidate
    return None


@dataclass(frozen=True)
class StreamInfo:
    url: str
    title: str
    watch_url: str
    filesize: int | None = None
    duration_s: float | None = None
    author: str = ""


class StreamFinder(Protocol):
    """Finds the audio stream of a video: by search query, or for a given watch URL."""

    def search(self, query: str, *, max_duration_s: float) -> StreamInfo: ...

    def resolve(self, watch_url: str) -> StreamInfo: ...


class PytubefixFinder:
    """The real thing: YouTube's InnerTube API through pytubefix."""

    def search(self, query: str, *, max_duration_s: float) -> StreamInfo:
        from pytubefix import Search

        # Each candidate's length costs a request: look at the first few results only.
        for video in Search(query).videos[:5]:
            try:
                length = float(video.length or 0)
            except Exception:
                continue
            if 0 < length <= max_duration_s:
                return self._audio(video)
        raise MusicUnavailable(f"no YouTube result under {max_duration_s:.0f} s for the query")

    def resolve(self, watch_url: str) -> StreamInfo:
        from pytubefix import YouTube

        return self._audio(YouTube(watch_url))

    @staticmethod
    def _audio(video: Any) -> StreamInfo:
        stream = video.streams.filter(only_audio=True).order_by("abr").desc().first()
        if stream is None:
            raise MusicUnavailable("the video has no audio-only stream")
        return StreamInfo(
            url=stream.url, title=str(video.title or ""), watch_url=str(video.watch_url),
            filesize=int(stream.filesize) if getattr(stream, "filesize", None) else None,
            duration_s=float(video.length or 0) or None, author=str(getattr(video, "author", "") or ""),
        )


class _HostCheckingRedirects(urllib.request.HTTPRedirectHandler):
    def __init__(self, allowed_hosts: Sequence[str]) -> None:
        self.allowed_hosts = allowed_hosts

    def redirect_request(self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str) -> Any:
        if not host_allowed(newurl, self.allowed_hosts):
            raise MusicUnavailable("the stream redirected outside the allowed YouTube hosts")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def download(url: str, dest: Path, *, allowed_hosts: Sequence[str], max_bytes: int, deadline: float) -> Path:
    """Stream `url` into `dest`: allowed hosts only, at most `max_bytes`, finished by `deadline`."""
    if not host_allowed(url, allowed_hosts):
        raise MusicUnavailable("the stream URL is not on an allowed YouTube host")
    opener = urllib.request.build_opener(_HostCheckingRedirects(allowed_hosts))
    request = urllib.request.Request(url, headers={"User-Agent": "Mozilla/5.0 cinesynth"})
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise MusicUnavailable("no time left to download the stream")
    try:
        with opener.open(request, timeout=remaining) as response, open(dest, "wb") as out:
            declared = response.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise MusicUnavailable(
                    f"the stream is {int(declared) / 1e6:.1f} MB, over the {max_bytes / 1e6:.1f} MB cap"
                )
            size = 0
            while True:
                if time.monotonic() > deadline:
                    raise MusicUnavailable("the download ran out of time")
                block = response.read(CHUNK)
                if not block:
                    break
                size += len(block)
                if size > max_bytes:
                    raise MusicUnavailable(f"the stream exceeded the {max_bytes / 1e6:.1f} MB cap")
                out.write(block)
    except MusicUnavailable:
        dest.unlink(missing_ok=True)
        raise
    except (urllib.error.URLError, OSError, ValueError) as exc:
        dest.unlink(missing_ok=True)
        raise MusicUnavailable(f"download failed: {_reason(exc)}") from exc
    if size == 0:
        dest.unlink(missing_ok=True)
        raise MusicUnavailable("the stream was empty")
    return dest


def _reason(exc: BaseException) -> str:
    reason = getattr(exc, "reason", None) or exc
    return str(reason)[:200] or type(exc).__name__


@dataclass(frozen=True)
class FetchedTrack:
    path: Path
    info: StreamInfo


class YouTubeMusic:
    """Search (or resolve) + download within one time budget."""

    def __init__(
        self, *, timeout_s: float, max_bytes: int, max_duration_s: float, allowed_hosts: Sequence[str],
        finder: StreamFinder | None = None,
    ) -> None:
        self.timeout_s = timeout_s
        self.max_bytes = max_bytes
        self.max_duration_s = max_duration_s
        self.allowed_hosts = list(allowed_hosts)
        self.finder = finder or PytubefixFinder()

    def search(self, query: str, workdir: Path) -> FetchedTrack:
        return self._bounded(lambda: self.finder.search(query, max_duration_s=self.max_duration_s), workdir)

    def fetch(self, watch_url: str, workdir: Path) -> FetchedTrack:
        if youtube_video_id(watch_url) is None:
            raise MusicUnavailable("not a YouTube video URL")
        return self._bounded(lambda: self.finder.resolve(watch_url), workdir)

    def _bounded(self, find: Callable[[], StreamInfo], workdir: Path) -> FetchedTrack:
        deadline = time.monotonic() + self.timeout_s
        future: concurrent.futures.Future[FetchedTrack] = concurrent.futures.Future()

        def work() -> None:
            try:
                info = find()
                if info.filesize and info.filesize > self.max_bytes:
                    raise MusicUnavailable(f"the audio stream is {info.filesize / 1e6:.1f} MB, over the cap")
                dest = workdir / "youtube-audio"
                download(info.url, dest, allowed_hosts=self.allowed_hosts, max_bytes=self.max_bytes, deadline=deadline)
                future.set_result(FetchedTrack(dest, info))
            except BaseException as exc:  # reported to the waiting caller
                future.set_exception(exc)

        # A daemon thread: a hung pytubefix call cannot hold the process or a worker pool hostage.
        threading.Thread(target=work, name="youtube-fetch", daemon=True).start()
        try:
            return future.result(timeout=max(0.0, deadline - time.monotonic()))
        except concurrent.futures.TimeoutError as exc:
            raise MusicUnavailable(f"YouTube did not answer within {self.timeout_s:g} s") from exc
        except MusicUnavailable:
            raise
        except Exception as exc:
            raise MusicUnavailable(f"YouTube failed: {type(exc).__name__}: {_reason(exc)}") from exc
