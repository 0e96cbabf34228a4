"""Caption files (SubRip and WebVTT) and lyric cues for music-video mode."""

from __future__ import annotations

from collections.abc import Sequence

from services.audio import text
from services.audio.model import CaptionCue

LYRIC_GAP_S = 0.05


def _clock(seconds: float, decimal: str) -> str:
    total_ms = max(0, round(seconds * 1000))
    hours, rest = divmod(total_ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, ms = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{decimal}{ms:03d}"


def srt_time(seconds: float) -> str:
    return _clock(seconds, ",")


def vtt_time(seconds: float) -> str:
    return _clock(seconds, ".")


def _cue_text(cue_text: str, *, vtt: bool) -> str:
    # A blank line would end the cue; "-->" would confuse a VTT parser.
    lines = [line for line in cue_text.splitlines() if line.strip()]
    body = "\n".join(lines)
    if vtt:
        body = body.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return body.replace("-->", "->")


def to_srt(cues: Sequence[CaptionCue]) -> str:
    blocks = [
        f"{n}\n{srt_time(c.start_s)} --> {srt_time(c.end_s)}\n{_cue_text(c.text, vtt=False)}\n"
        for n, c in enumerate(cues, start=1)
    ]
    return "\n".join(blocks)


def to_vtt(cues: Sequence[CaptionCue]) -> str:
    blocks = ["WEBVTT\n"]
    blocks += [
        f"{n}\n{vtt_time(c.start_s)} --> {vtt_time(c.end_s)}\n{_cue_text(c.text, vtt=True)}\n"
        for n, c in enumerate(cues, start=1)
    ]
    return "\n".join(blocks)


def lyric_cues(lyrics: str, scenes: Sequence[tuple[int, float, float]], total_s: float) -> list[CaptionCue]:
    """One cue per lyric line, spread over the track by line length, each kept inside the scene
    holding its midpoint. `scenes` are (index, start_s, end_s); none = one scene spanning the track."""
    lines = text.lyric_lines(lyrics)
    if not lines or total_s <= 0:
        return []
    bounds = list(scenes) or [(0, 0.0, total_s)]
    weights = [len(line) + 8 for line in lines]  # + a constant: short lines still need reading time
    unit = total_s / sum(weights)
    cues: list[CaptionCue] = []
    cursor = 0.0
    for line, weight in zip(lines, weights, strict=True):
        start, end = cursor, cursor + weight * unit
        cursor = end
        mid = (start + end) / 2
        index, lo, hi = next(((i, a, b) for i, a, b in bounds if a <= mid < b), bounds[-1])
        start, end = max(start, lo), min(end - LYRIC_GAP_S, hi)
        if cues and start < cues[-1].end_s:
            start = cues[-1].end_s
        start, end = round(start, 3), round(end, 3)
        if end > start:
            cues.append(CaptionCue(start, end, text.wrap_caption(line), index))
    return cues
