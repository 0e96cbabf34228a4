"""Checks an encoded MP4 with ffprobe before success is reported."""

from __future__ import annotations

import json
import os
import struct
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from services.common import ffmpeg
from services.common.errors import Internal


@dataclass(frozen=True)
class Expected:
    width: int
    height: int
    fps: int
    frame_count: int
    audio: bool
    subtitles: bool

    @property
    def duration_s(self) -> float:
        return self.frame_count / self.fps


class VerificationFailed(Internal):
    """The encoder produced something other than what was asked for."""


def probe_argv(path: str | os.PathLike[str]) -> list[str]:
    """ffprobe JSON with packets counted (a demux, no decode: cheap even for long films)."""
    argv = ffmpeg.probe_argv(path)
    argv.insert(-1, "-count_packets")
    return argv


def top_level_boxes(path: str | os.PathLike[str], limit: int = 64) -> list[str]:
    """The MP4's top-level box types in file order (ftyp, moov, mdat, ...)."""
    names: list[str] = []
    size_total = os.path.getsize(path)
    with open(path, "rb") as fh:
        offset = 0
        while offset + 8 <= size_total and len(names) < limit:
            fh.seek(offset)
            size, kind = struct.unpack(">I4s", fh.read(8))
            if size == 1:
                size = struct.unpack(">Q", fh.read(8))[0]
            elif size == 0:
                size = size_total - offset
            names.append(kind.decode("latin-1"))
            if size < 8:
                break
            offset += size
    return names


def _stream(info: dict[str, Any], kind: str) -> dict[str, Any] | None:
    return next((s for s in info.get("streams", []) if s.get("codec_type") == kind), None)


def check_probe(info: dict[str, Any], expected: Expected) -> list[str]:
    """What is wrong with a probed file (empty when it is what was asked for). Pure."""
    problems: list[str] = []
    video = _stream(info, "video")
    if video is None:
        return ["no video stream"]

    def want(what: str, got: Any, exp: Any) -> None:
        if got != exp:
            problems.append(f"{what} is {got!r}, expected {exp!r}")

    want("video codec", video.get("codec_name"), "h264")
    want("pixel format", video.get("pix_fmt"), "yuv420p")
    want("size", (video.get("width"), video.get("height")), (expected.width, expected.height))
    want("colour space", video.get("color_space"), "bt709")
    rate = video.get("avg_frame_rate") or video.get("r_frame_rate") or "0/1"
    want("frame rate", Fraction(rate) if rate != "0/0" else None, Fraction(expected.fps))
    frames = video.get("nb_read_packets") or video.get("nb_frames")
    want("frame count", int(frames) if frames is not None else None, expected.frame_count)
    one_frame = 1 / expected.fps
    duration = float(video.get("duration") or info.get("format", {}).get("duration") or 0)
    if abs(duration - expected.duration_s) > one_frame + 1e-6:
        problems.append(f"video duration {duration:.3f} s is not within one frame of {expected.duration_s:.3f} s")
    audio = _stream(info, "audio")
    if expected.audio:
        if audio is None:
            problems.append("no audio stream although a soundtrack was given")
        else:
            want("audio codec", audio.get("codec_name"), "aac")
            audio_s = float(audio.get("duration") or 0)
            # AAC codes 1024-sample frames: allow one of those on top of one video frame.
            slack = one_frame + 1024 / int(audio.get("sample_rate") or 8000)
            if abs(audio_s - expected.duration_s) > slack:
                problems.append(f"audio lasts {audio_s:.3f} s, the film {expected.duration_s:.3f} s")
    subtitles = _stream(info, "subtitle")
    if expected.subtitles:
        if subtitles is None:
            problems.append("no caption track although captions were given")
        else:
            want("caption codec", subtitles.get("codec_name"), "mov_text")
    return problems


def verify_output(path: str | os.PathLike[str], expected: Expected) -> dict[str, Any]:
    """Probe `path`; VerificationFailed listing every mismatch. Returns the probe JSON."""
    info = json.loads(ffmpeg.run(probe_argv(path), timeout=120))
    problems = check_probe(info, expected)
    boxes = top_level_boxes(path)
    if "moov" in boxes and "mdat" in boxes and boxes.index("moov") > boxes.index("mdat"):
        problems.append("moov box after mdat (not +faststart)")
    if problems:
        raise VerificationFailed("output verification failed: " + "; ".join(problems))
    return info
