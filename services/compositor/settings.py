"""Settings of the Compositor service (CINESYNTH_* environment variables, flags override)."""

from __future__ import annotations

from typing import Literal, get_args

from pydantic import Field

from services.common.settings import ServiceSettings

X264Preset = Literal[
    "ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow", "placebo"
]
X264_PRESETS: tuple[str, ...] = get_args(X264Preset)


class CompositorSettings(ServiceSettings):
    service_name: str = "compositor"
    port: int = 50055
    metrics_port: int | None = 9095

    default_fps: int = Field(24, ge=12, le=60, description="Frame rate when a request leaves fps at 0.")
    min_fps: int = Field(12, ge=1, le=240, description="Lowest frame rate a request may ask for.")
    max_fps: int = Field(60, ge=1, le=240, description="Highest frame rate a request may ask for.")
    default_transition: Literal["cut", "crossfade", "flow_morph", "dip_to_black"] = Field(
        "crossfade", description="Transition when a scene leaves it unspecified (the paper's crossfade)."
    )
    default_transition_s: float = Field(
        1.0, ge=0, le=30, description="Transition length when a scene leaves it at 0 (clamped to the scenes)."
    )
    max_dimension: int = Field(4096, ge=64, le=8192, description="Largest output width or height in pixels.")
    max_duration_s: float = Field(3600.0, gt=0, description="Longest film a request may ask for.")
    max_scenes: int = Field(500, ge=1, description="Most scenes one request may carry.")

    encoder: Literal["auto", "libx264", "h264_nvenc"] = Field(
        "auto", description="Video encoder: auto = h264_nvenc when ffmpeg lists it and a test encode works."
    )
    x264_preset: X264Preset = Field(
        "medium", description="x264 preset when a request names none (NVENC maps it to p1..p7)."
    )
    crf: int = Field(23, ge=0, le=51, description="x264 CRF (NVENC -cq) when a request names none.")
    encoder_threads: int = Field(0, ge=0, le=64, description="ffmpeg -threads for the encoder; 0 = its default.")
    audio_bitrate: str = Field("192k", pattern=r"^\d+k$", description="AAC bitrate of the soundtrack.")
    subtitle_language: str = Field("eng", pattern=r"^[a-z]{3}$", description="ISO 639-2 tag of the caption track.")

    flow_max_side: int = Field(
        320, ge=64, le=2048, description="Optical flow for morphs is computed on frames scaled to this size."
    )
    opencv_threads: int = Field(
        1, ge=0, le=64,
        description="OpenCV worker threads (0 = OpenCV's default). The encoder already keeps every core busy, "
        "so rendering on one thread overlaps it best.",
    )
    frame_queue: int = Field(
        4, ge=1, le=64, description="Frames buffered between the renderer thread and the ffmpeg pipe."
    )
    progress_every_frames: int = Field(
        24, ge=1, description="A progress message goes out after this many frames (or progress_max_interval_s)."
    )
    progress_max_interval_s: float = Field(
        0.5, gt=0, description="A progress message goes out when this long passed since the last one."
    )
    thumbnail_width: int = Field(320, ge=32, le=1920, description="Width of one contact-sheet tile.")
    contact_sheet_columns: int = Field(5, ge=1, le=16, description="Tiles per row of the contact sheet.")
    contact_sheet_max_tiles: int = Field(40, ge=1, le=400, description="Scenes beyond this are sampled evenly.")
    work_dir: str | None = Field(None, description="Where temporary files go; unset = the system temp dir.")
    ffmpeg_timeout_s: float = Field(
        600.0, gt=0, description="How long ffmpeg may take to finish after the last frame was written."
    )
    max_parallel_jobs: int = Field(1, ge=1, le=64, description="Compose jobs encoded at once; others queue.")
