"""ffmpeg command lines as pure functions, and the choice of video encoder.

The encode reads raw BT.709 limited-range yuv420p frames on stdin (or from a raw file, for the
benchmark's encode floor), encodes H.264 (libx264, or NVENC where a test
encode works), muxes the AAC soundtrack and a mov_text caption track into a +faststart MP4.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from services.common import ffmpeg
from services.common.errors import CinesynthError
from services.compositor.spec import Notice
from services.compositor.timeline import EncoderChoice

NVENC = "h264_nvenc"
X264 = "libx264"
# x264 preset -> NVENC p1 (fastest) .. p7 (best).
NVENC_PRESETS = {
    "ultrafast": "p1", "superfast": "p1", "veryfast": "p2", "faster": "p3", "fast": "p3",
    "medium": "p4", "slow": "p5", "slower": "p6", "veryslow": "p7", "placebo": "p7",
}
# What the renderer writes: BT.709 limited-range I420 (services/compositor/yuv.py), so ffmpeg
# converts nothing and the stream is tagged with the matrix the pixels were made with.
RAW_PIX_FMT = "yuv420p"


@dataclass(frozen=True)
class VideoEncoder:
    codec: str  # "libx264" or "h264_nvenc"
    preset: str  # x264 preset name (mapped for NVENC)
    crf: int
    threads: int = 0  # 0 = ffmpeg's default

    def argv(self) -> list[str]:
        if self.codec == NVENC:
            args = ["-c:v", NVENC, "-preset", NVENC_PRESETS.get(self.preset, "p4"), "-tune", "hq",
                    "-rc", "vbr", "-cq", str(self.crf), "-b:v", "0"]
        else:
            args = ["-c:v", X264, "-preset", self.preset, "-crf", str(self.crf)]
        if self.threads:
            args += ["-threads", str(self.threads)]
        return args


@dataclass(frozen=True)
class EncodeJob:
    """Everything the encode command needs; `video_input` is "pipe:0" or a raw frame file."""

    ffmpeg: str
    width: int
    height: int
    fps: int
    frame_count: int
    encoder: VideoEncoder
    output: str
    video_input: str = "pipe:0"
    soundtrack: str | None = None
    subtitles: str | None = None
    audio_bitrate: str = "192k"
    subtitle_language: str = "eng"
    # The soundtrack is AAC of the film's length already: muxed as it is, not decoded and re-encoded.
    copy_audio: bool = False

    @property
    def duration_s(self) -> float:
        return self.frame_count / self.fps


def encode_argv(job: EncodeJob) -> list[str]:
    """The one ffmpeg command that turns raw frames (+ soundtrack, captions) into the MP4."""
    argv = [
        job.ffmpeg, "-hide_banner", "-nostats", "-loglevel", "error", "-y",
        "-f", "rawvideo", "-pix_fmt", RAW_PIX_FMT, "-s", f"{job.width}x{job.height}",
        "-framerate", str(job.fps), "-i", job.video_input,
    ]
    inputs, maps, codecs = _soundtrack_and_captions(job)
    return [
        *argv, *inputs, "-map", "0:v:0", *maps,
        *job.encoder.argv(),
        "-pix_fmt", "yuv420p",
        "-colorspace", "bt709", "-color_primaries", "bt709", "-color_trc", "bt709", "-color_range", "tv",
        *codecs, *_mp4_options(job),
    ]


def _mp4_options(job: EncodeJob) -> list[str]:
    """One MP4 tick per frame: segments joined by the concat demuxer (which offsets each file by
    its duration in microseconds) then land on whole frames, with no jitter at the joins."""
    return ["-video_track_timescale", str(job.fps), "-movflags", "+faststart", "-f", "mp4", job.output]


def join_argv(job: EncodeJob, concat_list: str) -> list[str]:
    """Segments (listed in an ffconcat file) stream-copied into one MP4, soundtrack and captions
    muxed once. The segments were encoded with `job.encoder`; nothing of the video is re-encoded."""
    inputs, maps, codecs = _soundtrack_and_captions(job)
    return [
        job.ffmpeg, "-hide_banner", "-nostats", "-loglevel", "error", "-y",
        "-f", "concat", "-safe", "0", "-i", concat_list, *inputs, "-map", "0:v:0", *maps,
        "-c:v", "copy", *codecs, *_mp4_options(job),
    ]


def _soundtrack_and_captions(job: EncodeJob) -> tuple[list[str], list[str], list[str]]:
    """(inputs, maps, codec options) of the soundtrack and the captions; the video is input 0."""
    duration = f"{job.duration_s:.6f}"
    inputs: list[str] = []
    maps: list[str] = []
    codecs: list[str] = []
    index = 1
    if job.soundtrack:
        # Read no more than the film; apad below fills a shorter track with silence.
        inputs += ["-t", duration, "-i", job.soundtrack]
        maps += ["-map", f"{index}:a:0"]
        if job.copy_audio:
            codecs += ["-c:a", "copy"]
        else:
            codecs += ["-af", f"apad=whole_dur={duration}", "-c:a", "aac", "-b:a", job.audio_bitrate]
        index += 1
    if job.subtitles:
        inputs += ["-i", job.subtitles]
        maps += ["-map", f"{index}:s:0"]
        codecs += ["-c:s", "mov_text", "-metadata:s:s:0", f"language={job.subtitle_language}"]
    return inputs, maps, codecs


def convert_captions_argv(ffmpeg_bin: str, source: str, target: str) -> list[str]:
    """SRT <-> WebVTT (the format follows the target's extension)."""
    return [ffmpeg_bin, "-hide_banner", "-nostats", "-loglevel", "error", "-y", "-i", source, target]


def encoders_argv(ffmpeg_bin: str) -> list[str]:
    return [ffmpeg_bin, "-hide_banner", "-encoders"]


def nvenc_test_argv(ffmpeg_bin: str) -> list[str]:
    """A tiny real encode: listing h264_nvenc only says ffmpeg was built with it, not that a GPU works."""
    return [
        ffmpeg_bin, "-hide_banner", "-nostats", "-loglevel", "error",
        "-f", "lavfi", "-i", "color=c=black:s=256x256:r=24:d=0.25",
        "-c:v", NVENC, "-f", "null", "-",
    ]


def parse_encoders(listing: str) -> set[str]:
    """Encoder names from `ffmpeg -encoders` (lines like ' V....D libx264   libx264 H.264 ...')."""
    names: set[str] = set()
    lines = listing.splitlines()
    # The legend above the "------" line looks like entries (" V..... = Video"): skip it.
    start = next((i + 1 for i, line in enumerate(lines) if line.strip().startswith("---")), 0)
    for line in lines[start:]:
        parts = line.split()
        if len(parts) >= 2 and len(parts[0]) == 6 and parts[0][0] in "VAS":
            names.add(parts[1])
    return names


@cache
def nvenc_status(ffmpeg_bin: str) -> tuple[bool, str]:
    """(usable, why not). Probed once per ffmpeg binary and process."""
    try:
        listed = parse_encoders(ffmpeg.run(encoders_argv(ffmpeg_bin), timeout=30))
    except CinesynthError as exc:
        return False, f"ffmpeg -encoders failed: {exc.message[:200]}"
    if NVENC not in listed:
        return False, "ffmpeg was built without h264_nvenc"
    try:
        ffmpeg.run(nvenc_test_argv(ffmpeg_bin), timeout=30)
    except CinesynthError as exc:
        return False, f"h264_nvenc test encode failed: {exc.message.splitlines()[-1][:200]}"
    return True, ""


def choose_encoder(choice: EncoderChoice, ffmpeg_bin: str, threads: int = 0) -> tuple[VideoEncoder, list[Notice]]:
    """NVENC for "auto" when it works, else libx264. An explicit h264_nvenc that cannot run falls
    back to libx264 with a warning."""
    notices: list[Notice] = []
    codec = choice.codec
    if codec in ("auto", NVENC):
        usable, why = nvenc_status(ffmpeg_bin)
        if usable:
            codec = NVENC
        else:
            if codec == NVENC:
                notices.append(Notice("nvenc_unavailable", f"h264_nvenc unusable ({why}); encoded with libx264"))
            codec = X264
    return VideoEncoder(codec, choice.preset, choice.crf, threads), notices


def audio_copyable(info: dict[str, object], duration_s: float, fps: int) -> bool:
    """Whether a probed soundtrack can be muxed as it is: AAC, and as long as the film within the
    output check's slack (one video frame plus one AAC frame)."""
    streams = info.get("streams")
    audio = next(
        (st for st in streams if isinstance(st, dict) and st.get("codec_type") == "audio"), None
    ) if isinstance(streams, list) else None
    if audio is None or audio.get("codec_name") != "aac":
        return False
    try:
        seconds = float(audio.get("duration") or 0)
        rate = int(audio.get("sample_rate") or 0)
    except (TypeError, ValueError):
        return False
    if rate <= 0:
        return False
    return abs(seconds - duration_s) <= 0.5 * (1 / fps + 1024 / rate)
