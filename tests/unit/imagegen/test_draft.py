"""The draft tier's animatic cards: size, format, legible content, camera guides, palette, speed."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image, ImageChops

from services.imagegen.draft import CameraMove, SceneCard, camera_windows, move_name, palette_for, render_card_png

SCENE = SceneCard(
    index=2,
    title="The Storm Breaks Over the Harbour",
    description="A lone fisherman drags his boat up the shingle as lightning splits the sky above the lighthouse.",
    narration="Nobody in the village remembered a storm like it.",
    mood="tense, ominous",
    lighting="stormy night, cold rim light",
    character="Elias, a weathered fisherman in a yellow oilskin",
    background="a stone harbour with a lighthouse",
    shot_type="establishing wide",
    beat="rising action",
    duration_s=6.5,
    camera=CameraMove(pan=0.3, zoom=1.2, move="dolly-in"),
)


def decode(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    return image


@pytest.mark.parametrize("size", [(1280, 720), (720, 1280), (1024, 1024), (768, 512), (64, 64), (3840, 2160)])
def test_card_has_the_requested_size_and_real_content(size: tuple[int, int]) -> None:
    # (How fast a card renders is a benchmark's business: a timed assert fails on a loaded machine.)
    image = decode(render_card_png(SCENE, *size))
    assert image.size == size and image.mode == "RGB"
    stride = max(1, int((size[0] * size[1] / 100_000) ** 0.5))  # ~100k pixels keep np.unique quick
    pixels = np.asarray(image)[::stride, ::stride]
    assert pixels.std() > 10, "a blank card"
    assert len(np.unique(pixels.reshape(-1, 3), axis=0)) > 20, "too few colours for text, guides and a palette"


def test_card_is_deterministic_and_shows_the_scene() -> None:
    png = render_card_png(SCENE, 1280, 720)
    assert png == render_card_png(SCENE, 1280, 720)
    other = SceneCard(**{**SCENE.__dict__, "title": "A Quiet Morning", "index": 3})
    diff = ImageChops.difference(decode(png).convert("RGB"), decode(render_card_png(other, 1280, 720)).convert("RGB"))
    box = diff.getbbox()
    assert box is not None and box[3] < 140, "only the header (number, title) should change"


def test_palette_comes_from_mood_and_lighting_and_tints_the_card() -> None:
    warm = palette_for("joyful", "golden hour")
    cold = palette_for("melancholic", "moonlight")
    assert warm != cold and len(warm) == len(cold) == 5
    assert warm[0] == (0xF2, 0xA5, 0x41)  # golden hour's key colour comes first
    assert (0xFF, 0xBE, 0x0B) in warm  # and the mood shows too
    assert palette_for("zzz unknown", "") == palette_for("zzz unknown", "")
    card = SceneCard(title="Sunlit", mood="joyful", lighting="golden hour", camera=CameraMove())
    pixels = np.asarray(decode(render_card_png(card, 1280, 720))).reshape(-1, 3)
    assert (np.abs(pixels.astype(int) - np.array(warm[0])).sum(axis=1) < 6).sum() > 500, "palette swatch missing"
    reds, blues = pixels[:, 0].astype(int), pixels[:, 2].astype(int)
    assert (reds - blues).mean() > 5, "a golden-hour card should read warm"


def centre(window: tuple[float, float, float, float]) -> tuple[float, float]:
    return ((window[0] + window[2]) / 2, (window[1] + window[3]) / 2)


def test_camera_guides_follow_the_move() -> None:
    start, end = camera_windows(CameraMove(zoom=1.25))
    assert start[0] < end[0] and end[2] < start[2], "push in: the end frame sits inside the start frame"
    start, end = camera_windows(CameraMove(zoom=0.8))
    assert end[0] < start[0] and start[2] < end[2], "pull out: the end frame contains the start frame"
    start, end = camera_windows(CameraMove(pan=0.5))
    assert centre(end)[0] > centre(start)[0]
    start, end = camera_windows(CameraMove(tilt=0.5))
    assert centre(end)[1] < centre(start)[1], "tilt up moves the frame up (smaller y)"
    for move in (CameraMove(pan=1, tilt=-1, zoom=3), CameraMove(pan=-1, zoom=0.3)):
        for window in camera_windows(move):
            assert 0 <= window[0] < window[2] <= 1 and 0 <= window[1] < window[3] <= 1
    assert move_name(CameraMove(pan=-0.2)) == "PAN LEFT"
    assert move_name(CameraMove(move="crane-up")) == "CRANE UP"
    assert move_name(CameraMove()) == "STATIC"


def test_static_and_moving_cards_differ_in_the_frame() -> None:
    static = decode(render_card_png(SceneCard(title="x", camera=CameraMove()), 1280, 720))
    moving = decode(render_card_png(SceneCard(title="x", camera=CameraMove(pan=0.4)), 1280, 720))
    assert ImageChops.difference(static, moving).getbbox() is not None


def test_prompt_only_card_and_long_text_fit() -> None:
    long = SceneCard(index=0, prompt="word " * 400, narration="line " * 200, camera=CameraMove(zoom=1.1))
    for size in ((1280, 720), (720, 1280), (320, 180)):
        assert decode(render_card_png(long, *size)).size == size


@pytest.mark.parametrize("size", [(64, 2160), (3840, 64), (66, 66), (128, 128), (256, 144), (100, 1000)])
def test_extreme_sizes_render(size: tuple[int, int]) -> None:
    scene = SceneCard(**{**SCENE.__dict__, "camera": CameraMove(pan=-1, tilt=1, zoom=0.5)})
    assert decode(render_card_png(scene, *size)).size == size
