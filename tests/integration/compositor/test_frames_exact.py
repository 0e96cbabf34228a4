"""The encoded film has exactly round(duration * fps) frames, each the one the timeline meant."""

from __future__ import annotations

import cv2
import numpy as np

from services.common import ffmpeg
from services.common.artifacts import FileArtifactStore
from services.compositor.core import Compositor
from services.compositor.settings import CompositorSettings
from services.compositor.spec import ComposeRequest, EncoderSpec, GradeSpec, SceneSpec

LEVELS = (40, 130, 220)


def test_fractional_durations_give_exact_frames_in_the_right_places(tmp_path):
    store = FileArtifactStore(tmp_path / "store")
    uris = []
    for i, level in enumerate(LEVELS):
        _, png = cv2.imencode(".png", np.full((48, 64, 3), level, np.uint8))
        uris.append(store.put_bytes(f"k/{i}.png", png.tobytes()).uri)
    durations = (0.3, 0.45, 0.25)  # 7.2, 10.8 and 6 frames at 24 fps
    request = ComposeRequest(
        scenes=tuple(SceneSpec(u, d, transition="cut") for u, d in zip(uris, durations, strict=True)),
        fps=24, width=64, height=48, grade=GradeSpec(enabled=False),
        encoder=EncoderSpec(codec="libx264", preset="ultrafast", crf=10), output_prefix="out",
    )
    settings = CompositorSettings(work_dir=str(tmp_path / "work"))
    outcome = Compositor(settings, store).compose(request)
    assert outcome.frame_count == 24

    raw = tmp_path / "frames.gray"
    ffmpeg.run([ffmpeg.ffmpeg_path(), "-v", "error", "-i", str(store.local_path(outcome.video.stored.uri)),
                "-f", "rawvideo", "-pix_fmt", "gray", str(raw)])
    frames = np.fromfile(raw, np.uint8).reshape(-1, 48, 64)
    assert len(frames) == 24
    # Boundaries at round(7.2) = 7 and round(18.0) = 18 frames.
    expected = [LEVELS[0]] * 7 + [LEVELS[1]] * 11 + [LEVELS[2]] * 6
    assert np.allclose(frames.mean(axis=(1, 2)), expected, atol=2)
