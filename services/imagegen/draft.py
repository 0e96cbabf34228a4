"""The `draft` tier: an animatic card per scene, drawn with PIL (no weights, milliseconds on a CPU).

A card is what a director pins on the wall in pre-production: the scene number, title and shot
description typeset legibly, the camera move drawn as framing guides inside a frame of the film's
aspect (start frame solid, end frame dashed, an arrow for pan/tilt, nested frames for a zoom), and a
colour palette taken from the mood and the lighting, which also tints the frame.
"""

from __future__ import annotations

import hashlib
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

RENDERER_VERSION = "animatic-1"

RGB = tuple[int, int, int]


@dataclass(frozen=True)
class CameraMove:
    """Ken Burns move over the scene: pan/tilt as a fraction of the frame, zoom as end/start scale."""

    pan: float = 0.0
    tilt: float = 0.0
    zoom: float = 1.0
    move: str = ""

    @property
    def is_static(self) -> bool:
        return abs(self.pan) < 1e-3 and abs(self.tilt) < 1e-3 and abs(self.zoom - 1.0) < 1e-3


@dataclass(frozen=True)
class SceneCard:
    """What an animatic card shows (the scene of a storyboard, or just a prompt)."""

    index: int = 0
    title: str = ""
    description: str = ""
    narration: str = ""
    mood: str = ""
    lighting: str = ""
    character: str = ""
    background: str = ""
    shot_type: str = ""
    beat: str = ""
    duration_s: float = 0.0
    camera: CameraMove = field(default_factory=CameraMove)
    prompt: str = ""


# --- palette ----------------------------------------------------------------------------------

# Keyword -> colours, hand-picked from common grading looks. Lighting first (it sets the key), mood
# second; unknown words still get a stable palette derived from their hash.
_LIGHTING_COLOURS: dict[str, tuple[str, ...]] = {
    "golden": ("#f2a541", "#c8553d", "#f6d8ae"),
    "sunset": ("#ff7b54", "#c84b31", "#ffd56b"),
    "sunrise": ("#ffb085", "#fcd5ce", "#8ecae6"),
    "dawn": ("#fcd5ce", "#a2d2ff", "#6d6875"),
    "dusk": ("#6d597a", "#b56576", "#355070"),
    "twilight": ("#3d348b", "#7678ed", "#f7b801"),
    "night": ("#0b132b", "#1c2541", "#3a506b"),
    "moon": ("#1b263b", "#778da9", "#e0e1dd"),
    "neon": ("#ff00a0", "#00e5ff", "#3a0ca3"),
    "tungsten": ("#e09f3e", "#9e2a2b", "#540b0e"),
    "candle": ("#ffb703", "#fb8500", "#3d2314"),
    "fire": ("#ff4800", "#ff9e00", "#3d0c02"),
    "fluorescent": ("#d9ed92", "#76c893", "#1e6091"),
    "overcast": ("#adb5bd", "#6c757d", "#dee2e6"),
    "fog": ("#ced4da", "#a3b1c2", "#6b7a8f"),
    "mist": ("#d8e2dc", "#9fb8ad", "#5c6f68"),
    "rain": ("#4a6fa5", "#166088", "#c0d6df"),
    "storm": ("#22333b", "#5e6472", "#c9c9c9"),
    "snow": ("#edf6f9", "#caf0f8", "#90a4ae"),
    "underwater": ("#0077b6", "#00b4d8", "#03045e"),
    "noon": ("#fff3b0", "#e09f3e", "#4895ef"),
    "daylight": ("#fefae0", "#8ecae6", "#219ebc"),
    "high-key": ("#f8f9fa", "#e9ecef", "#ffd6a5"),
    "low-key": ("#0d0d0d", "#3c1518", "#a44200"),
    "hdr": ("#ffbe0b", "#3a86ff", "#8338ec"),
    "volumetric": ("#ffe8a3", "#5f4b8b", "#1f1d36"),
    "backlit": ("#ffd166", "#073b4c", "#ef476f"),
}
_MOOD_COLOURS: dict[str, tuple[str, ...]] = {
    "tense": ("#7f1d1d", "#1f2937", "#b45309"),
    "ominous": ("#1a1423", "#3d2645", "#832161"),
    "dark": ("#0f0f0f", "#2b2d42", "#8d0801"),
    "eerie": ("#0b3d20", "#5b8e7d", "#1b1b1e"),
    "mysterious": ("#240046", "#5a189a", "#9d4edd"),
    "melancholic": ("#415a77", "#778da9", "#1b263b"),
    "sad": ("#5c677d", "#7d8597", "#33415c"),
    "lonely": ("#2b2d42", "#8d99ae", "#edf2f4"),
    "nostalgic": ("#d4a373", "#ccd5ae", "#faedcd"),
    "hopeful": ("#ffd166", "#06d6a0", "#118ab2"),
    "joyful": ("#ffbe0b", "#fb5607", "#ff006e"),
    "happy": ("#ffd60a", "#ff8fab", "#8ac926"),
    "romantic": ("#ff8fa3", "#c9184a", "#ffccd5"),
    "serene": ("#a8dadc", "#457b9d", "#f1faee"),
    "calm": ("#caf0f8", "#90e0ef", "#0077b6"),
    "peaceful": ("#b7e4c7", "#74c69d", "#2d6a4f"),
    "epic": ("#9a031e", "#e36414", "#0f4c5c"),
    "triumphant": ("#ffba08", "#d00000", "#03071e"),
    "heroic": ("#e85d04", "#faa307", "#370617"),
    "energetic": ("#f72585", "#7209b7", "#4cc9f0"),
    "playful": ("#ff99c8", "#fcf6bd", "#a9def9"),
    "whimsical": ("#cdb4db", "#ffc8dd", "#bde0fe"),
    "dramatic": ("#6a040f", "#03071e", "#dc2f02"),
    "suspense": ("#14213d", "#fca311", "#000000"),
    "action": ("#d62828", "#f77f00", "#003049"),
    "awe": ("#4361ee", "#f72585", "#fee440"),
    "wonder": ("#4cc9f0", "#b5179e", "#fff3b0"),
    "intimate": ("#9c6644", "#e6ccb2", "#7f5539"),
    "bittersweet": ("#b5838d", "#6d6875", "#ffcdb2"),
    "resolution": ("#e9c46a", "#2a9d8f", "#264653"),
}

BACKGROUND: RGB = (18, 19, 24)
PANEL_EDGE: RGB = (235, 235, 228)
TEXT: RGB = (236, 234, 226)
TEXT_DIM: RGB = (150, 152, 160)


def _hex(colour: str) -> RGB:
    colour = colour.lstrip("#")
    return (int(colour[0:2], 16), int(colour[2:4], 16), int(colour[4:6], 16))


def _hash_colours(text: str, count: int) -> list[RGB]:
    """Stable colours for words the tables do not know (hue from the text's hash)."""
    import colorsys

    digest = hashlib.sha256(text.encode()).digest()
    out = []
    for i in range(count):
        hue = digest[i] / 255.0
        light = 0.35 + (digest[i + 8] / 255.0) * 0.3
        r, g, b = colorsys.hls_to_rgb(hue, light, 0.55)
        out.append((int(r * 255), int(g * 255), int(b * 255)))
    return out


def _keyword_colours(text: str, table: dict[str, tuple[str, ...]]) -> list[RGB]:
    text = text.lower()
    found: list[RGB] = []
    for word, colours in table.items():
        if word in text:
            found.extend(_hex(c) for c in colours)
    return found


def palette_for(mood: str, lighting: str, size: int = 5) -> list[RGB]:
    """`size` colours from the lighting (first) and the mood; stable for any input."""
    light = _keyword_colours(lighting, _LIGHTING_COLOURS)
    feel = _keyword_colours(mood, _MOOD_COLOURS)
    # Both must show: three key colours from the light, two from the mood, then the rest.
    colours = light[:3] + feel[:2] + light[3:] + feel[2:]
    unique: list[RGB] = []
    for colour in colours:
        if colour not in unique:
            unique.append(colour)
    if len(unique) < size:
        unique += _hash_colours(f"{mood}|{lighting}", size - len(unique))
    return unique[:size]


# --- fonts and text ---------------------------------------------------------------------------

_FONT_DIRS = (
    "/usr/share/fonts/truetype/dejavu",
    "/usr/share/fonts/dejavu",
    "/usr/share/fonts/TTF",
    "/usr/local/share/fonts",
    "/Library/Fonts",
)
_FONT_FILES = {
    "regular": ("DejaVuSans.ttf", "DejaVuSansCondensed.ttf"),
    "bold": ("DejaVuSans-Bold.ttf", "DejaVuSansCondensed-Bold.ttf"),
    "italic": ("DejaVuSerif-Italic.ttf", "DejaVuSans-Oblique.ttf"),
    "mono": ("DejaVuSansMono.ttf",),
}
Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


@lru_cache(maxsize=8)
def _font_path(style: str) -> str | None:
    for folder in _FONT_DIRS:
        for name in _FONT_FILES[style]:
            path = Path(folder) / name
            if path.is_file():
                return str(path)
    return None


@lru_cache(maxsize=256)
def font(style: str, size: int) -> Font:
    """A TrueType font (DejaVu when installed, else Pillow's bundled scalable font)."""
    size = max(6, int(size))
    path = _font_path(style)
    if path is not None:
        return ImageFont.truetype(path, size)
    return ImageFont.load_default(size=size)


def _text_width(draw: ImageDraw.ImageDraw, text: str, face: Font) -> float:
    return draw.textlength(text, font=face)


def _line_height(face: Font) -> int:
    ascent, descent = face.getmetrics() if isinstance(face, ImageFont.FreeTypeFont) else (10, 2)
    return int((ascent + descent) * 1.18)


def wrap(draw: ImageDraw.ImageDraw, text: str, face: Font, width: float) -> list[str]:
    """Greedy word wrap to `width` pixels; words longer than a line are split."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        current = ""
        for word in paragraph.split():
            candidate = f"{current} {word}".strip()
            if _text_width(draw, candidate, face) <= width:
                current = candidate
                continue
            if current:
                lines.append(current)
            while _text_width(draw, word, face) > width and len(word) > 1:
                cut = len(word)
                while cut > 1 and _text_width(draw, word[:cut] + "-", face) > width:
                    cut -= 1
                lines.append(word[:cut] + "-")
                word = word[cut:]
            current = word
        if current:
            lines.append(current)
    return lines


def _ellipsize(draw: ImageDraw.ImageDraw, line: str, face: Font, width: float) -> str:
    while line and _text_width(draw, line + "…", face) > width:
        line = line[:-1].rstrip()
    return line + "…"


@dataclass
class _Block:
    label: str
    text: str
    style: str
    size: float  # at scale 1
    colour: RGB = TEXT


def _flow(
    draw: ImageDraw.ImageDraw, box: tuple[float, float, float, float], blocks: Sequence[_Block], unit: float
) -> float:
    """Typeset labelled blocks top-down in `box`, shrinking type (to 70 %) then truncating to fit.

    Returns the y where the text ended.
    """
    x0, y0, x1, y1 = box
    width = x1 - x0
    blocks = [b for b in blocks if b.text.strip()]
    for scale in (1.0, 0.9, 0.8, 0.7):
        laid = []
        y = y0
        for block in blocks:
            label_face = font("bold", 13 * unit * scale)
            face = font(block.style, block.size * unit * scale)
            lines = wrap(draw, block.text, face, width)
            height = (_line_height(label_face) if block.label else 0) + len(lines) * _line_height(face)
            laid.append((block, label_face, face, lines))
            y += height + 12 * unit * scale
        if y - 12 * unit * scale <= y1:
            break
    y = y0
    for block, label_face, face, lines in laid:
        if block.label:
            if y + _line_height(label_face) > y1:
                break
            draw.text((x0, y), block.label.upper(), font=label_face, fill=TEXT_DIM)
            y += _line_height(label_face)
        for i, line in enumerate(lines):
            last_fitting = y + 2 * _line_height(face) > y1
            if y + _line_height(face) > y1:
                break
            if last_fitting and i < len(lines) - 1:
                draw.text((x0, y), _ellipsize(draw, line, face, width), font=face, fill=block.colour)
                y += _line_height(face)
                break
            draw.text((x0, y), line, font=face, fill=block.colour)
            y += _line_height(face)
        y += 12 * unit * scale
    return y


# --- drawing helpers --------------------------------------------------------------------------


def _mix(a: RGB, b: RGB, t: float) -> RGB:
    return (int(a[0] + (b[0] - a[0]) * t), int(a[1] + (b[1] - a[1]) * t), int(a[2] + (b[2] - a[2]) * t))


def _gradient(size: tuple[int, int], top: RGB, bottom: RGB) -> Image.Image:
    """Vertical gradient (a mood wash for the frame), built from a 1-pixel-wide strip."""
    w, h = max(1, size[0]), max(1, size[1])
    strip = Image.new("RGB", (1, 256))
    strip.putdata([_mix(top, bottom, i / 255) for i in range(256)])
    return strip.resize((w, h), Image.Resampling.BILINEAR)


def _dashed_rect(draw: ImageDraw.ImageDraw, rect: Sequence[float], colour: RGB, width: int, dash: float) -> None:
    x0, y0, x1, y1 = rect
    for (ax, ay), (bx, by) in (((x0, y0), (x1, y0)), ((x1, y0), (x1, y1)), ((x1, y1), (x0, y1)), ((x0, y1), (x0, y0))):
        length = math.hypot(bx - ax, by - ay)
        steps = max(1, int(length // (2 * dash)))
        for i in range(steps + 1):
            s = min(1.0, (2 * i * dash) / length) if length else 0
            e = min(1.0, (2 * i * dash + dash) / length) if length else 0
            if s >= 1.0:
                break
            draw.line(
                (ax + (bx - ax) * s, ay + (by - ay) * s, ax + (bx - ax) * e, ay + (by - ay) * e),
                fill=colour,
                width=width,
            )


def _arrow(
    draw: ImageDraw.ImageDraw,
    start: tuple[float, float],
    end: tuple[float, float],
    colour: RGB,
    width: int,
    head: float,
) -> None:
    (sx, sy), (ex, ey) = start, end
    length = math.hypot(ex - sx, ey - sy)
    if length < 1:
        return
    ux, uy = (ex - sx) / length, (ey - sy) / length
    base = (ex - ux * head, ey - uy * head)
    draw.line((sx, sy, base[0], base[1]), fill=colour, width=width)
    left = (base[0] - uy * head * 0.55, base[1] + ux * head * 0.55)
    right = (base[0] + uy * head * 0.55, base[1] - ux * head * 0.55)
    draw.polygon([(ex, ey), left, right], fill=colour)


def move_name(camera: CameraMove) -> str:
    """The move's name: the storyboard's, else derived from pan/tilt/zoom."""
    if camera.move.strip():
        return camera.move.strip().replace("_", " ").replace("-", " ").upper()
    if camera.is_static:
        return "STATIC"
    parts = []
    if camera.zoom > 1.001:
        parts.append("PUSH IN")
    elif camera.zoom < 0.999:
        parts.append("PULL OUT")
    if abs(camera.pan) >= 1e-3:
        parts.append("PAN RIGHT" if camera.pan > 0 else "PAN LEFT")
    if abs(camera.tilt) >= 1e-3:
        parts.append("TILT UP" if camera.tilt > 0 else "TILT DOWN")
    return " + ".join(parts)


def move_detail(camera: CameraMove) -> str:
    bits = []
    if abs(camera.zoom - 1.0) >= 1e-3:
        bits.append(f"zoom {camera.zoom:.2f}x")  # ASCII: not every fallback font has ×
    if abs(camera.pan) >= 1e-3:
        bits.append(f"pan {camera.pan * 100:+.0f}%")
    if abs(camera.tilt) >= 1e-3:
        bits.append(f"tilt {camera.tilt * 100:+.0f}%")
    return " · ".join(bits) or "locked off"


def camera_windows(camera: CameraMove) -> tuple[tuple[float, float, float, float], tuple[float, float, float, float]]:
    """Start and end crop windows in frame-relative coordinates (0..1), as the Ken Burns move sees them.

    The start window covers 78 % of the frame (headroom for the move); the end window is scaled by
    1/zoom about its centre and shifted by pan (right +) and tilt (up +), clamped inside the frame.
    """
    start_scale = 0.78 if camera.zoom >= 1 else 0.78 * camera.zoom
    end_scale = start_scale / max(camera.zoom, 1e-3)
    # Travel is drawn exaggerated enough to read, but never leaves the frame.
    cx0, cy0 = 0.5 - camera.pan * 0.5 * (1 - start_scale), 0.5 + camera.tilt * 0.5 * (1 - start_scale)
    cx1, cy1 = 0.5 + camera.pan * 0.5 * (1 - end_scale), 0.5 - camera.tilt * 0.5 * (1 - end_scale)

    def window(cx: float, cy: float, scale: float) -> tuple[float, float, float, float]:
        half = scale / 2
        cx = min(max(cx, half), 1 - half)
        cy = min(max(cy, half), 1 - half)
        return (cx - half, cy - half, cx + half, cy + half)

    return window(cx0, cy0, start_scale), window(cx1, cy1, end_scale)


def _draw_frame(
    img: Image.Image,
    draw: ImageDraw.ImageDraw,
    rect: tuple[int, int, int, int],
    card: SceneCard,
    palette: list[RGB],
    unit: float,
) -> None:
    x0, y0, x1, y1 = rect
    w, h = x1 - x0, y1 - y0
    if w < 4 or h < 4:
        return
    # Mood wash: the palette's key colours, darkened so white guides read on top.
    wash = _gradient((w, h), _mix(palette[0], BACKGROUND, 0.35), _mix(palette[1], BACKGROUND, 0.65))
    img.paste(wash, (x0, y0))
    line = max(1, round(2 * unit))
    thin = max(1, round(unit))
    grid = _mix(PANEL_EDGE, palette[0], 0.55)
    for i in (1, 2):  # rule of thirds
        draw.line((x0 + w * i / 3, y0, x0 + w * i / 3, y1), fill=grid, width=thin)
        draw.line((x0, y0 + h * i / 3, x1, y0 + h * i / 3), fill=grid, width=thin)
    draw.rectangle(rect, outline=PANEL_EDGE, width=line)

    start, end = camera_windows(card.camera)

    def to_px(r: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
        return (x0 + r[0] * w, y0 + r[1] * h, x0 + r[2] * w, y0 + r[3] * h)

    start_px, end_px = to_px(start), to_px(end)
    accent = (255, 209, 102)
    label_face = font("bold", 14 * unit)
    if card.camera.is_static:
        draw.rectangle(start_px, outline=TEXT, width=line * 2)
        draw.text((start_px[0] + 6 * unit, start_px[1] + 4 * unit), "FRAME", font=label_face, fill=TEXT)
    else:
        draw.rectangle(start_px, outline=TEXT, width=line * 2)
        _dashed_rect(draw, end_px, accent, line * 2, dash=10 * unit)
        draw.text((start_px[0] + 6 * unit, start_px[1] + 4 * unit), "A  START", font=label_face, fill=TEXT)
        draw.text((end_px[0] + 6 * unit, end_px[3] - 22 * unit), "B  END", font=label_face, fill=accent)
        head = 16 * unit
        if abs(card.camera.zoom - 1.0) >= 1e-3:
            outer, inner = (start_px, end_px) if card.camera.zoom > 1 else (end_px, start_px)
            pairs = [
                ((outer[0], outer[1]), (inner[0], inner[1])),
                ((outer[2], outer[1]), (inner[2], inner[1])),
                ((outer[0], outer[3]), (inner[0], inner[3])),
                ((outer[2], outer[3]), (inner[2], inner[3])),
            ]
            for a, b in pairs:
                a_, b_ = (a, b) if card.camera.zoom > 1 else (b, a)
                _arrow(draw, a_, b_, accent, line, head * 0.8)
        centre_a = ((start_px[0] + start_px[2]) / 2, (start_px[1] + start_px[3]) / 2)
        centre_b = ((end_px[0] + end_px[2]) / 2, (end_px[1] + end_px[3]) / 2)
        travel = math.hypot(centre_b[0] - centre_a[0], centre_b[1] - centre_a[1])
        if travel > 2 * unit:
            # The direction is what matters; short travels are drawn long enough to read.
            reach = max(travel, 0.2 * min(w, h))
            tip = (
                centre_a[0] + (centre_b[0] - centre_a[0]) / travel * reach,
                centre_a[1] + (centre_b[1] - centre_a[1]) / travel * reach,
            )
            _arrow(draw, centre_a, tip, accent, line * 2, head)
    # Centre mark of the frame.
    cx, cy, r = x0 + w / 2, y0 + h / 2, 6 * unit
    draw.line((cx - r, cy, cx + r, cy), fill=grid, width=thin)
    draw.line((cx, cy - r, cx, cy + r), fill=grid, width=thin)
    # Move caption along the bottom edge of the frame.
    caption = f"{move_name(card.camera)}  ·  {move_detail(card.camera)}"
    face = font("bold", 15 * unit)
    pad = 6 * unit
    tw = draw.textlength(caption, font=face)
    draw.rectangle((x0 + line, y1 - _line_height(face) - 2 * pad, x0 + tw + 3 * pad, y1 - line), fill=BACKGROUND)
    draw.text((x0 + 1.5 * pad, y1 - _line_height(face) - pad), caption, font=face, fill=accent)


def _draw_palette(
    draw: ImageDraw.ImageDraw, box: tuple[float, float, float, float], palette: list[RGB], unit: float
) -> None:
    x0, y0, x1, y1 = box
    count = len(palette)
    gap = 6 * unit
    sw = (x1 - x0 - gap * (count - 1)) / count
    if sw < 1 or y1 - y0 < 2:
        return
    face = font("mono", 11 * unit)
    label_h = _line_height(face) if sw > 40 * unit and y1 - y0 > 2 * _line_height(face) else 0
    for i, colour in enumerate(palette):
        sx = x0 + i * (sw + gap)
        draw.rectangle((sx, y0, sx + sw, y1 - label_h), fill=colour, outline=_mix(colour, TEXT, 0.3))
        if label_h:
            draw.text((sx, y1 - label_h + 2 * unit), "#{:02x}{:02x}{:02x}".format(*colour), font=face, fill=TEXT_DIM)


def render_card(card: SceneCard, width: int, height: int) -> Image.Image:
    """The animatic card for `card` at exactly `width` x `height` (RGB)."""
    img = Image.new("RGB", (width, height), BACKGROUND)
    draw = ImageDraw.Draw(img)
    palette = palette_for(card.mood, card.lighting)
    # Side-by-side only when the card is clearly wider than tall; else the frame sits above the text.
    portrait = width < height * 1.25
    # Type and strokes scale with the card (designed at 1280x720 or 720x1280).
    unit = min(width / 720, height / 1280) if portrait else min(width / 1280, height / 720)
    unit = max(unit, 0.05)
    margin = 28 * unit
    accent = palette[0] if sum(palette[0]) > 200 else _mix(palette[0], TEXT, 0.5)

    # Header: scene number, title, shot facts.
    number_face = font("bold", 56 * unit)
    number = f"{card.index + 1:02d}"
    draw.text((margin, margin * 0.7), number, font=number_face, fill=accent)
    nx = margin + draw.textlength(number, font=number_face) + 18 * unit
    draw.text(
        (margin, margin * 0.7 + _line_height(number_face) * 0.95), "SCENE", font=font("bold", 12 * unit), fill=TEXT_DIM
    )
    title_face = font("bold", 30 * unit)
    title = card.title.strip() or f"Shot {card.index + 1}"
    title_width = width - nx - margin
    title_lines = wrap(draw, title, title_face, title_width) or [""]
    title_line = title_lines[0] if len(title_lines) == 1 else _ellipsize(draw, title_lines[0], title_face, title_width)
    draw.text((nx, margin * 0.8), title_line, font=title_face, fill=TEXT)
    facts = [card.shot_type, card.beat, f"{card.duration_s:.1f} s" if card.duration_s > 0 else "", card.mood]
    facts_text = "   ·   ".join(f for f in (s.strip().upper() for s in facts) if f)
    facts_face = font("regular", 15 * unit)
    if facts_text:
        fy = margin * 0.8 + _line_height(title_face) + 4 * unit
        if draw.textlength(facts_text, font=facts_face) > title_width:
            facts_text = _ellipsize(draw, facts_text, facts_face, title_width)
        draw.text((nx, fy), facts_text, font=facts_face, fill=TEXT_DIM)
    header_bottom = margin * 0.7 + _line_height(number_face) * 0.95 + _line_height(font("bold", 12 * unit)) + 10 * unit
    draw.line(
        (margin, header_bottom, width - margin, header_bottom),
        fill=_mix(BACKGROUND, TEXT, 0.2),
        width=max(1, int(unit)),
    )

    # Footer: the narration, as the voice-over line under the frame.
    narration_face = font("italic", 19 * unit)
    footer_lines = (
        wrap(draw, f"“{card.narration.strip()}”", narration_face, width - 2 * margin) if card.narration.strip() else []
    )
    if len(footer_lines) > 2:
        footer_lines = [footer_lines[0], _ellipsize(draw, footer_lines[1], narration_face, width - 2 * margin)]
    footer_h = len(footer_lines) * _line_height(narration_face) + (16 * unit if footer_lines else 0)
    footer_top = height - margin - footer_h
    for i, line in enumerate(footer_lines):
        draw.text(
            (margin, footer_top + 12 * unit + i * _line_height(narration_face)),
            line,
            font=narration_face,
            fill=_mix(TEXT, accent, 0.25),
        )

    body_top = header_bottom + 18 * unit
    body_bottom = footer_top - 6 * unit
    body_h = body_bottom - body_top
    aspect = width / height
    blocks = [
        _Block("", card.description.strip() or card.prompt.strip(), "regular", 21),
        _Block("Character", card.character, "regular", 17),
        _Block("Setting", card.background, "regular", 17),
        _Block("Lighting", card.lighting, "regular", 17),
    ]
    palette_h = 46 * unit
    if portrait:
        frame_w = width - 2 * margin
        frame_h = min(frame_w / aspect, body_h * 0.5)
        frame_w = frame_h * aspect
        fx0 = (width - frame_w) / 2
        frame = (int(fx0), int(body_top), int(fx0 + frame_w), int(body_top + frame_h))
        text_box = (margin, frame[3] + 20 * unit, width - margin, body_bottom - palette_h - 12 * unit)
        palette_box = (margin, body_bottom - palette_h, width - margin, body_bottom)
    else:
        column_w = max((width - 2 * margin) * 0.34, 0)
        frame_h = body_h
        frame_w = min(frame_h * aspect, width - 2 * margin - column_w - 24 * unit)
        frame_h = frame_w / aspect
        frame = (int(margin), int(body_top), int(margin + frame_w), int(body_top + frame_h))
        cx0 = frame[2] + 24 * unit
        text_box = (cx0, body_top, width - margin, body_bottom - palette_h - 12 * unit)
        palette_box = (cx0, body_bottom - palette_h, width - margin, body_bottom)
    _draw_frame(img, draw, frame, card, palette, unit)
    if text_box[3] > text_box[1] and text_box[2] - text_box[0] > 20 * unit:
        _flow(draw, text_box, blocks, unit)
    if palette_box[3] - palette_box[1] > 4:
        _draw_palette(draw, palette_box, palette, unit)
    tag_face = font("bold", 11 * unit)
    tag = "ANIMATIC · DRAFT"
    draw.text((width - margin - draw.textlength(tag, font=tag_face), margin * 0.4), tag, font=tag_face, fill=TEXT_DIM)
    return img


def render_card_png(card: SceneCard, width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    render_card(card, width, height).save(buffer, format="PNG", compress_level=3)
    return buffer.getvalue()
