"""A clip is shown wherever a still is: frame-exact timing, resampled frames, grade once per source frame."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from services.common import ffmpeg
from services.common.artifacts import FileArtifactStore
from services.common.errors import InvalidArgument
from services.compositor import clips as clip_module
from services.compositor.core import Compositor
from services.compositor.settings import CompositorSettings
from services.compositor.spec import CameraMotion, ComposeRequest, EncoderSpec, GradeSpec, SceneSpec
from services.motion.clips import clip_encode_argv

W, H = 64, 48


def _clip(store: FileArtifactStore, tmp_path: Path, levels: list[int], fps: float) -> str:
    """An MP4 whose frame k is flat grey at levels[k] (distinct per frame, so resampling is visible)."""
    frames = np.stack([np.full((H, W, 3), v, np.uint8) for v in levels])
    out = tmp_path / "clip.mp4"
    ffmpeg.run(clip_encode_argv(ffmpeg.ffmpeg_path(), W, H, fps, str(out)), input_bytes=frames.tobytes())
    return store.put_file("clips/clip.mp4", out).uri


def _frames(store: FileArtifactStore, uri: str, tmp_path: Path) -> np.ndarray:
    raw = tmp_path / "frames.gray"
    ffmpeg.run([ffmpeg.ffmpeg_path(), "-v", "error", "-i", str(store.local_path(uri)), "-f", "rawvideo",
                "-pix_fmt", "gray", str(raw)])
    return np.fromfile(raw, np.uint8).reshape(-1, H, W)


# 7 source frames at 7 fps (1 s of motion) over a 12-frame shot, and 3 (a capped clip) stretched 4x.
@pytest.mark.parametrize("source_frames", [7, 3])
def test_clip_scene_is_resampled_to_the_film_and_graded_once_per_source_frame(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, source_frames: int
) -> None:
    store = FileArtifactStore(tmp_path / "store")
    _, png = cv2.imencode(".png", np.full((H, W, 3), 200, np.uint8))
    still = store.put_bytes("k/still.png", png.tobytes()).uri
    levels = [30 + 20 * k for k in range(source_frames)]
    clip = _clip(store, tmp_path, levels, 7)
    graded: list[int] = []
    real_grade = clip_module.apply_grade

    def counting_grade(image: np.ndarray, grade: GradeSpec) -> np.ndarray:
        graded.append(int(image.mean()))
        return real_grade(image, grade)

    monkeypatch.setattr(clip_module, "apply_grade", counting_grade)
    request = ComposeRequest(
        scenes=(SceneSpec(still, 0.5, transition="cut", clip_uri=clip), SceneSpec(still, 0.5)),
        fps=24, width=W, height=H, grade=GradeSpec(enabled=True, brightness=1.0, blue=1.0, sharpen=False),
        encoder=EncoderSpec(codec="libx264", preset="ultrafast", crf=4), output_prefix="out",
    )
    outcome = Compositor(CompositorSettings(work_dir=str(tmp_path / "work")), store).compose(request)
    assert outcome.frame_count == 24
    assert len(graded) == len(levels)  # once per source frame, not per output frame (12 of them)
    means = _frames(store, outcome.video.stored.uri, tmp_path).mean(axis=(1, 2))
    shot = means[:12]
    assert np.all(np.diff(shot) > 0)  # every output frame of the shot moves on: resampled, not held
    assert shot[0] == pytest.approx(levels[0], abs=4) and shot[-1] == pytest.approx(levels[-1], abs=4)
    assert np.allclose(means[12:], 200, atol=3)  # the still scene follows frame-exactly


def test_clip_under_a_crossfade_and_a_camera_move(tmp_path: Path) -> None:
    store = FileArtifactStore(tmp_path / "store")
    _, png = cv2.imencode(".png", np.full((H, W, 3), 220, np.uint8))
    still = store.put_bytes("k/still.png", png.tobytes()).uri
    clip = _clip(store, tmp_path, [20 + 10 * k for k in range(12)], 12)
    request = ComposeRequest(
        scenes=(
            SceneSpec(still, 1.0, motion=CameraMotion(move="dolly-in"), transition="crossfade", transition_s=0.5,
                      clip_uri=clip),
            SceneSpec(still, 1.0),
        ),
        fps=12, width=W, height=H, grade=GradeSpec(enabled=False),
        encoder=EncoderSpec(codec="libx264", preset="ultrafast", crf=4), output_prefix="out",
    )
    outcome = Compositor(CompositorSettings(work_dir=str(tmp_path / "work")), store).compose(request)
    assert outcome.frame_count == 24
    means = _frames(store, outcome.video.stored.uri, tmp_path).mean(axis=(1, 2))
    assert np.all(np.diff(means[:15]) > 0)  # the clip keeps moving into the crossfade towards the still
    assert means[-1] == pytest.approx(220, abs=3)


def test_a_clip_that_is_not_a_video_is_a_field_error(tmp_path: Path) -> None:
    store = FileArtifactStore(tmp_path / "store")
    _, png = cv2.imencode(".png", np.full((H, W, 3), 100, np.uint8))
    still = store.put_bytes("k/still.png", png.tobytes()).uri
    broken = store.put_bytes("clips/broken.mp4", b"not a video").uri
    request = ComposeRequest(scenes=(SceneSpec(still, 0.5, clip_uri=broken),), fps=24, width=W, height=H,
                             output_prefix="out")
    with pytest.raises(InvalidArgument) as raised:
        Compositor(CompositorSettings(work_dir=str(tmp_path / "work")), store).compose(request)
    assert [v.field for v in raised.value.violations] == ["scenes[0].clip_uri"]
    missing = ComposeRequest(scenes=(SceneSpec(still, 0.5, clip_uri=store.uri_for("clips/none.mp4")),), fps=24,
                             width=W, height=H, output_prefix="out")
    with pytest.raises(InvalidArgument) as raised:
        Compositor(CompositorSettings(work_dir=str(tmp_path / "work")), store).prepare(missing)
    assert [v.field for v in raised.value.violations] == ["scenes[0].clip_uri"]
