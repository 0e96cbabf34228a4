"""`make eval-music`: beat, downbeat and tempo accuracy of each tracker backend, and where a music
video's cuts land, on the synthetic set (`services.audio.rhythm.synth`).

Metrics follow mir_eval's conventions: beat and downbeat F-measure with a ±70 ms window (mir_eval
trims the first 5 s of both sequences, as in the MIREX beat task), CMLt / AMLt continuity, and
tempo accuracy as the share of tracks whose estimate is within 4 % of the reference's median tempo.
A silent track counts as correct when the tracker reports no beats (and is left out of the means).
Cut offsets: the storyboard's music-video timing is run on each analysis, each interior cut is
rounded to a video frame the way the compositor does, and its distance to the nearest reference
downbeat is measured in frames.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass

import numpy as np

from services.audio.rhythm import synth

FPS = 24


@dataclass
class TrackScore:
    name: str
    beat_f: float
    downbeat_f: float
    cmlt: float
    amlt: float
    tempo_ok: bool
    tempo_est: float
    tempo_ref: float
    cut_offsets_frames: list[float]
    silent_ok: bool | None = None  # only for silent references


def score_track(track: synth.SynthTrack, result, fps: int = FPS) -> TrackScore:
    import mir_eval

    beats = np.asarray(result.beat_times_s, dtype=float)
    downbeats = np.asarray(result.downbeat_times_s, dtype=float)
    offsets = cut_offsets(track, result, fps)
    if track.beats.size == 0:
        return TrackScore(track.spec.name, 0, 0, 0, 0, False, result.tempo_bpm, 0.0, offsets,
                          silent_ok=beats.size == 0)
    ref_b = mir_eval.beat.trim_beats(track.beats)
    est_b = mir_eval.beat.trim_beats(beats)
    beat_f = mir_eval.beat.f_measure(ref_b, est_b, 0.07)
    _, cmlt, _, amlt = mir_eval.beat.continuity(ref_b, est_b) if est_b.size > 1 else (0, 0.0, 0, 0.0)
    downbeat_f = mir_eval.beat.f_measure(mir_eval.beat.trim_beats(track.downbeats),
                                         mir_eval.beat.trim_beats(downbeats), 0.07)
    tempo_ok = track.tempo_bpm > 0 and abs(result.tempo_bpm - track.tempo_bpm) <= 0.04 * track.tempo_bpm
    return TrackScore(track.spec.name, beat_f, downbeat_f, cmlt, amlt, bool(tempo_ok), result.tempo_bpm,
                      track.tempo_bpm, offsets)


def cut_offsets(track: synth.SynthTrack, result, fps: int) -> list[float]:
    """Frames between each music-video cut (as the compositor will place it) and the nearest downbeat."""
    from services.storyboard.domain import MusicAnalysis
    from services.storyboard.timing import music_cuts

    analysis = MusicAnalysis(
        duration_s=result.duration_s, tempo_bpm=result.tempo_bpm, beat_times_s=list(result.beat_times_s),
        downbeat_times_s=list(result.downbeat_times_s), section_boundaries_s=list(result.section_boundaries_s),
        energy=list(result.energy), energy_hop_s=result.energy_hop_s, key=result.key,
    )
    cuts = music_cuts(analysis, None, 64)
    if track.downbeats.size == 0:
        return []
    out = []
    for t in cuts.boundaries_s:
        frame_time = round(t * fps) / fps
        out.append(float(np.min(np.abs(track.downbeats - frame_time)) * fps))
    return out


def analyze_with(backend: str):
    from services.audio.analysis import analyze_samples

    def run(y: np.ndarray, sr: int):
        return analyze_samples(y, sr, energy_hop_s=0.5, **({"tracker": backend} if backend != "current" else {}))

    return run


def summarise(scores: list[TrackScore]) -> dict[str, float]:
    music = [s for s in scores if s.silent_ok is None]
    silent = [s for s in scores if s.silent_ok is not None]
    offsets = [o for s in music for o in s.cut_offsets_frames]
    return {
        "tracks": len(music),
        "beat_f": float(np.mean([s.beat_f for s in music])),
        "downbeat_f": float(np.mean([s.downbeat_f for s in music])),
        "cmlt": float(np.mean([s.cmlt for s in music])),
        "amlt": float(np.mean([s.amlt for s in music])),
        "tempo_acc": float(np.mean([s.tempo_ok for s in music])),
        "silence_ok": float(np.mean([bool(s.silent_ok) for s in silent])) if silent else float("nan"),
        "cuts": len(offsets),
        "cut_within_1_frame": float(np.mean([o <= 1.0 + 1e-9 for o in offsets])) if offsets else float("nan"),
        "cut_median_frames": float(np.median(offsets)) if offsets else float("nan"),
        "cut_max_frames": float(np.max(offsets)) if offsets else float("nan"),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="eval-music", description=__doc__.splitlines()[0])
    parser.add_argument("--backend", action="append", help="tracker backend(s) to evaluate (repeatable)")
    parser.add_argument("--count", type=int, default=35, help="tracks with a beat in the synthetic set (>= 30)")
    parser.add_argument("--per-track", action="store_true", help="print one line per track")
    args = parser.parse_args(argv)
    backends = args.backend or ["librosa"]
    tracks = [synth.render(spec) for spec in synth.evaluation_set(args.count)]
    rows = []
    for backend in backends:
        run = analyze_with(backend)
        scores = [score_track(t, run(t.audio, t.sr)) for t in tracks]
        if args.per_track:
            for s in scores:
                print(f"{backend:10s} {s.name:32s} beatF={s.beat_f:.3f} dbF={s.downbeat_f:.3f} "
                      f"CMLt={s.cmlt:.3f} AMLt={s.amlt:.3f} tempo={s.tempo_est:7.2f}/{s.tempo_ref:7.2f} "
                      f"{'ok' if s.tempo_ok else '--'} cuts(max frames)="
                      f"{max(s.cut_offsets_frames) if s.cut_offsets_frames else float('nan'):.2f}"
                      + (f" silent_ok={s.silent_ok}" if s.silent_ok is not None else ""))
        rows.append((backend, summarise(scores)))
    print(f"\nsynthetic set: {len(tracks)} tracks (incl. 3 with no beat), mir_eval beat/downbeat F (±70 ms), "
          f"video at {FPS} fps")
    print("| backend | beat F | downbeat F | CMLt | AMLt | tempo ±4 % | no-beat tracks → no beats | cuts ≤ 1 frame "
          "| cut offset median / max (frames) |")
    print("|---|---|---|---|---|---|---|---|---|")
    for backend, m in rows:
        print(f"| {backend} | {m['beat_f']:.3f} | {m['downbeat_f']:.3f} | {m['cmlt']:.3f} | {m['amlt']:.3f} "
              f"| {m['tempo_acc']:.3f} | {m['silence_ok']:.0%} | {m['cut_within_1_frame']:.3f} ({m['cuts']}) "
              f"| {m['cut_median_frames']:.2f} / {m['cut_max_frames']:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
