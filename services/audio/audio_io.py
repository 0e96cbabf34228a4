"""Audio files in and out: ffmpeg argv built by pure functions (run via services.common.ffmpeg),
WAV read/write, resampling and EBU R128 measurement.

Float32 numpy arrays shaped (samples, channels) are the in-memory format everywhere.
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass
from math import gcd
from pathlib import Path

import numpy as np
import soundfile as sf

from services.common import ffmpeg
from services.common.errors import Internal

_FILTER_SAFE_PATH = re.compile(r"^[A-Za-z0-9_./+-]+$")
# atempo accepts 0.5..100 per instance in ffmpeg >= 4.3; keep each stage inside 0.5..2 for quality.
ATEMPO_MIN, ATEMPO_MAX = 0.5, 2.0


def _base(*, overwrite: bool = True) -> list[str]:
    return [ffmpeg.ffmpeg_path(), "-nostdin", "-hide_banner", "-loglevel", "error", *(["-y"] if overwrite else [])]


def decode_argv(
    src: str | os.PathLike[str], dst: str | os.PathLike[str], *, sample_rate: int, channels: int,
    max_seconds: float | None = None,
) -> list[str]:
    """Any audio (or the audio of a video) -> float WAV at `sample_rate` with `channels` channels."""
    argv = [*_base(), "-i", str(src), "-vn", "-sn", "-dn", "-map", "0:a:0"]
    if max_seconds is not None:
        argv += ["-t", f"{max_seconds:.3f}"]
    return [*argv, "-ac", str(channels), "-ar", str(sample_rate), "-c:a", "pcm_f32le", str(dst)]


def atempo_chain(factor: float) -> str:
    """`atempo` filters whose product is `factor` (> 0), each stage within 0.5..2."""
    if not factor > 0 or not math.isfinite(factor):
        raise ValueError(f"tempo factor must be positive, got {factor}")
    stages: list[float] = []
    remaining = factor
    while remaining > ATEMPO_MAX:
        stages.append(ATEMPO_MAX)
        remaining /= ATEMPO_MAX
    while remaining < ATEMPO_MIN:
        stages.append(ATEMPO_MIN)
        remaining /= ATEMPO_MIN
    stages.append(remaining)
    return ",".join(f"atempo={s:.6f}" for s in stages)


def atempo_argv(
    src: str | os.PathLike[str], dst: str | os.PathLike[str], factor: float, *, sample_rate: int
) -> list[str]:
    """Speed speech up (factor > 1) or down without changing its pitch."""
    return [
        *_base(), "-i", str(src), "-af", atempo_chain(factor), "-ar", str(sample_rate),
        "-c:a", "pcm_f32le", str(dst),
    ]


def aac_argv(src: str | os.PathLike[str], dst: str | os.PathLike[str], *, bitrate_kbps: int) -> list[str]:
    """WAV -> AAC-LC in an MP4 (m4a) container, moov atom first for streaming."""
    return [
        *_base(), "-i", str(src), "-vn", "-c:a", "aac", "-b:a", f"{bitrate_kbps}k",
        "-movflags", "+faststart", str(dst),
    ]


def ebur128_argv(src: str | os.PathLike[str], metadata_path: str | os.PathLike[str]) -> list[str]:
    """EBU R128 scan with true peak. ffmpeg.run returns only stdout, so the running values are
    printed to a file by `ametadata`; its last frame carries the integrated loudness and the
    overall true peak (the same numbers as ebur128's summary)."""
    path = str(metadata_path)
    if not _FILTER_SAFE_PATH.match(path):
        raise Internal("loudness scan needs a temporary path without special characters")
    graph = f"ebur128=peak=true:metadata=1,ametadata=mode=print:file={path}"
    return [*_base(), "-nostats", "-i", str(src), "-af", graph, "-f", "null", "-"]


@dataclass(frozen=True)
class Loudness:
    integrated_lufs: float
    true_peak_dbtp: float
    loudness_range_lu: float


def parse_ebur128_metadata(text: str) -> Loudness:
    """The integrated loudness, loudness range and true peak of the last frame `ametadata` printed."""
    last: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep and key.startswith("lavfi.r128."):
            last[key[len("lavfi.r128.") :]] = value.strip()
    if "I" not in last:
        raise Internal("ebur128 printed no loudness (empty or silent input?)")
    peak = float(last.get("true_peak", "0") or 0)
    return Loudness(
        integrated_lufs=float(last["I"]),
        true_peak_dbtp=20 * math.log10(peak) if peak > 0 else -math.inf,
        loudness_range_lu=float(last.get("LRA", "0") or 0),
    )


def measure_loudness(path: str | os.PathLike[str], workdir: str | os.PathLike[str]) -> Loudness:
    """Integrated loudness (LUFS) and true peak (dBTP) as ffmpeg's ebur128 filter measures them."""
    metadata = Path(workdir) / f"ebur128-{os.getpid()}-{id(path)}.txt"
    try:
        ffmpeg.run(ebur128_argv(path, metadata), timeout=300)
        return parse_ebur128_metadata(metadata.read_text())
    finally:
        metadata.unlink(missing_ok=True)


def read_audio(path: str | os.PathLike[str]) -> tuple[np.ndarray, int]:
    """(samples, channels) float32 and the sample rate."""
    data, rate = sf.read(str(path), dtype="float32", always_2d=True)
    return data, int(rate)


def write_wav(path: str | os.PathLike[str], data: np.ndarray, sample_rate: int, subtype: str = "FLOAT") -> Path:
    sf.write(str(path), np.asarray(data, dtype=np.float32), sample_rate, subtype=subtype)
    return Path(path)


class NonFiniteSamples(ValueError):
    """A decoded file holds NaN or infinite samples (a float WAV can): the input is bad, not the service."""


NON_FINITE_MESSAGE = "the audio holds NaN or infinite samples"


def decode(
    src: str | os.PathLike[str], workdir: str | os.PathLike[str], *, sample_rate: int, channels: int,
    max_seconds: float | None = None, timeout: float = 300,
) -> np.ndarray:
    """Decode any file ffmpeg reads to float32 (samples, channels) at `sample_rate`.

    Raises NonFiniteSamples when the result is not finite everywhere (ffmpeg passes float NaN through).
    """
    dst = Path(workdir) / f"decoded-{os.getpid()}-{id(src)}.wav"
    try:
        argv = decode_argv(src, dst, sample_rate=sample_rate, channels=channels, max_seconds=max_seconds)
        ffmpeg.run(argv, timeout=timeout)
        data, _ = read_audio(dst)
    finally:
        dst.unlink(missing_ok=True)
    if not np.isfinite(data).all():
        raise NonFiniteSamples(NON_FINITE_MESSAGE)
    return data


def resample(x: np.ndarray, rate_in: int, rate_out: int) -> np.ndarray:
    """Polyphase resampling along axis 0 (exact rational ratio, e.g. 22050 -> 48000 is 320/147)."""
    if rate_in == rate_out:
        return x.astype(np.float32, copy=False)
    from scipy.signal import resample_poly

    g = gcd(rate_in, rate_out)
    return resample_poly(x, rate_out // g, rate_in // g, axis=0).astype(np.float32)


def db_to_gain(db: float) -> float:
    return float(10 ** (db / 20))


def rms_db(x: np.ndarray) -> float:
    value = float(np.sqrt(np.mean(np.square(x, dtype=np.float64)))) if x.size else 0.0
    return 20 * math.log10(value) if value > 0 else -math.inf
