"""The Audio service core: CreateSoundtrack and AnalyzeMusic without gRPC.

    engine = AudioEngine(settings)            # cheap; models load on first use or in warm()
    result = engine.create_soundtrack(spec)   # validated, rendered, published to the artifact store
"""

from __future__ import annotations

import logging
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from services.audio import audio_io, captions, mix, narration
from services.audio.analysis import analyze_file
from services.audio.cache import BoundedCache, content_key, file_digest
from services.audio.metrics import MUSIC_SOURCE_USED, VOICE_USED, Notes, stage_timer
from services.audio.model import (
    LayerLevel,
    MusicAnalysisResult,
    MusicSourceKind,
    RenderedSoundtrack,
    SoundCredit,
    SoundtrackResult,
    SoundtrackSpec,
)
from services.audio.music.selection import MusicBed, MusicSelector
from services.audio.settings import AudioSettings
from services.audio.sfx.scenes import SceneSoundRenderer, default_mode
from services.audio.validation import validate_soundtrack, validate_track_uri
from services.audio.voices import GttsNarrator, PiperNarrator, VoiceBox, piper_language
from services.common import cancellation, ffmpeg
from services.common.artifacts import ArtifactStore, open_store
from services.common.workdirs import job_workdir

WORKDIR_PREFIX = "cinesynth-audio"
log = logging.getLogger(__name__)

# The ducker starts well under the levelled voice (narration.VOICE_RMS_DB) and is at its full depth
# for ordinary speech.
DUCK_THRESHOLD_BELOW_VOICE_DB = 22.0
# In music-video mode the track only gets anti-click ramps (and a fade-out when it is cut short).
CLICK_RAMP_S = 0.01


class AudioEngine:
    def __init__(
        self, settings: AudioSettings, store: ArtifactStore | None = None, *, voices: VoiceBox | None = None,
        selector: MusicSelector | None = None, scene_sound: SceneSoundRenderer | None = None,
    ) -> None:
        self.settings = settings
        self.store = store or open_store(
            settings.artifact_store, endpoint_url=settings.s3_endpoint_url, region=settings.s3_region
        )
        self.voices = voices or VoiceBox(
            PiperNarrator(settings.piper_model_path),
            GttsNarrator(timeout_s=settings.gtts_timeout_s, tld=settings.gtts_tld, endpoint=settings.gtts_endpoint),
        )
        self.selector = selector or MusicSelector(settings, self.store)
        self.narration = narration.NarrationBuilder(settings, self.voices)
        self.analyses: BoundedCache[MusicAnalysisResult] = BoundedCache("music_analysis", settings.analysis_cache_bytes)
        self.scene_sound = scene_sound or SceneSoundRenderer(settings)

    def warm(self) -> None:
        """Load what the first request would otherwise wait for: the Piper voice, the library index."""
        _ = self.voices.piper.voice
        if self.selector.library is not None:
            try:
                self.selector.library.warm()
            except Exception as exc:  # a broken library must not keep the service down; requests warn
                log.warning("music library not usable", extra={"error": str(exc)[:200]})
        if self.settings.scene_sound != "off":
            self.scene_sound.library.warm()

    # --- CreateSoundtrack -----------------------------------------------------------------------

    def create_soundtrack(self, spec: SoundtrackSpec) -> SoundtrackResult:
        language = piper_language(self.settings.piper_model_path)
        validate_soundtrack(spec, self.settings, self.store, piper_language=language)
        with job_workdir(WORKDIR_PREFIX) as tmp:  # removed on success, failure and cancellation
            rendered = self.render(spec, tmp)
            with stage_timer("publish"):
                prefix = spec.output_prefix or f"audio/{spec.job_id or uuid.uuid4().hex}"
                put = self.store.put_file
                return SoundtrackResult(
                    rendered=rendered,
                    wav=put(f"{prefix}/soundtrack.wav", rendered.wav),
                    aac=put(f"{prefix}/soundtrack.m4a", rendered.aac),
                    srt=put(f"{prefix}/captions.srt", rendered.srt),
                    vtt=put(f"{prefix}/captions.vtt", rendered.vtt),
                )

    def render(self, spec: SoundtrackSpec, workdir: Path, *, keep_stems: bool = False) -> RenderedSoundtrack:
        """The soundtrack's files in `workdir` (inputs must be valid: see validate_soundtrack)."""
        s = self.settings
        sr = s.sample_rate
        notes = Notes()
        duration = spec.duration_s
        n = round(duration * sr)

        # Music does not depend on the narration: it is chosen/rendered on a second thread while the
        # voice speaks (Piper's onnxruntime and the numpy score both release the GIL).
        with ThreadPoolExecutor(1, thread_name_prefix="music") as pool:
            music_workdir = workdir / "music"
            music_workdir.mkdir(exist_ok=True)
            music_notes = Notes()

            def select_music() -> MusicBed | None:
                with stage_timer("music"):
                    return self.selector.select(spec, duration, music_workdir, music_notes)

            pending = cancellation.submit(pool, select_music)  # cancelled with the call
            with stage_timer("narration"):
                voiced = self.narration.build(spec, n, notes, workdir)
            bed = pending.result()
        notes.items.extend(music_notes.items)  # narration's warnings first, as before
        cue_text = voiced.captions
        if spec.lyrics.strip():
            scenes = [(c.scene_index, c.start_s, c.end_s) for c in voiced.cues]
            cue_text = captions.lyric_cues(spec.lyrics, scenes, duration)

        with stage_timer("mix"):
            music = self._music_bed(bed, spec, voiced, n)
            voice = np.repeat(voiced.track[:, None], 2, axis=1)
        with stage_timer("scene_sound"):
            reference_db = _reference_db(voiced, music, s.music_gain)
            mode = default_mode(spec, s)
            layers = self.scene_sound.render(spec, mode, n, voiced.track, reference_db, notes, workdir)
            premix = voice + music + layers.ambience + layers.effects
        with stage_timer("loudness"):
            # `measured` is ffmpeg's ebur128 of exactly these samples (as float): the 24-bit WAV
            # written below differs by quantisation only, so it is not scanned a second time.
            final, measured, gain = mix.normalize_loudness(
                premix, sr, target_lufs=s.target_lufs, true_peak_dbtp=s.true_peak_dbtp, workdir=workdir
            )
        with stage_timer("encode"):
            wav = audio_io.write_wav(workdir / "soundtrack.wav", final, sr, subtype="PCM_24")
            aac = workdir / "soundtrack.m4a"
            ffmpeg.run(audio_io.aac_argv(wav, aac, bitrate_kbps=s.aac_bitrate_kbps), timeout=300)
            srt = workdir / "captions.srt"
            srt.write_text(captions.to_srt(cue_text), encoding="utf-8")
            vtt = workdir / "captions.vtt"
            vtt.write_text(captions.to_vtt(cue_text), encoding="utf-8")
        stems: dict[str, Path] = {}
        layer_tracks = {"voice": voice, "music": music, "ambience": layers.ambience, "effects": layers.effects}
        if keep_stems:
            for name, track in layer_tracks.items():
                stems[name] = audio_io.write_wav(workdir / f"stem-{name}.wav", track * gain, sr)
        levels = [LayerLevel(name, *mix.layer_level(track * gain, sr)) for name, track in layer_tracks.items()]

        source = bed.source if bed is not None else None
        VOICE_USED.labels(voice=voiced.voice_used).inc()
        MUSIC_SOURCE_USED.labels(source=source.value if source else "none").inc()
        return RenderedSoundtrack(
            wav=wav, aac=aac, srt=srt, vtt=vtt, cues=voiced.cues, captions=cue_text, voice_used=voiced.voice_used,
            music_source_used=source or MusicSourceKind.NONE, music_title=bed.title if bed else "",
            music_attribution=bed.attribution if bed else "", duration_s=n / sr, num_samples=n,
            integrated_lufs=measured.integrated_lufs, true_peak_dbtp=measured.true_peak_dbtp, notes=notes.items,
            stems=stems, sound_credits=[*_music_credit(bed), *layers.credits], layer_levels=levels,
            scene_sound_used=layers.mode,
        )

    def _music_bed(self, bed: MusicBed | None, spec: SoundtrackSpec, voiced: narration.Narration, n: int) -> np.ndarray:
        s = self.settings
        sr = s.sample_rate
        if bed is None or bed.samples is None:
            return np.zeros((n, 2), dtype=np.float32)
        fitted = mix.fit_to_length(bed.samples, n, sr)
        if spec.music_is_soundtrack:
            # The track *is* the soundtrack: level untouched (loudness normalisation follows).
            cut_short = bed.samples.shape[0] > n
            return mix.apply_fades(fitted, sr, CLICK_RAMP_S, s.music_fade_out_s if cut_short else CLICK_RAMP_S)
        fitted = mix.apply_fades(fitted, sr, s.music_fade_in_s, s.music_fade_out_s)
        if not voiced.speech_ranges:
            return fitted
        # The paper's 0.3x: the bed sits about 10 dB under the narration's level, then ducks under it.
        music_db = audio_io.rms_db(fitted)
        if np.isfinite(music_db):
            target_db = narration.VOICE_RMS_DB + 20 * np.log10(s.music_gain)
            fitted = fitted * audio_io.db_to_gain(target_db - music_db)
        params = mix.DuckParams(
            max_duck_db=s.duck_db, threshold_db=narration.VOICE_RMS_DB - DUCK_THRESHOLD_BELOW_VOICE_DB
        )
        return (fitted * mix.duck_gain(voiced.track, sr, params)[:, None]).astype(np.float32)

    # --- AnalyzeMusic ---------------------------------------------------------------------------

    def analyze_music(self, track_uri: str, energy_hop_s: float = 0.0) -> MusicAnalysisResult:
        validate_track_uri(track_uri, self.store, energy_hop_s)
        hop = energy_hop_s or self.settings.energy_hop_s
        limit = self.settings.max_analysis_duration_s
        tracker = self.settings.beat_tracker
        with job_workdir(WORKDIR_PREFIX) as tmp, stage_timer("analyze"):
            local = Path(tmp) / "track"
            self.store.download(track_uri, local)
            # Keyed by the track's bytes, not its URI: a re-upload of the same file is a hit too.
            key = content_key("analysis", file_digest(str(local)), hop, limit, tracker)
            return self.analyses.get_or_compute(
                key, lambda: analyze_file(local, tmp, energy_hop_s=hop, max_duration_s=limit, tracker=tracker)
            )


def _reference_db(voiced: narration.Narration, music: np.ndarray, music_gain: float) -> float:
    """The level scene sound is set against: the narration's, or without narration the level the
    music stands in for it at (so ambience still sits under the music)."""
    if voiced.speech_ranges:
        return narration.VOICE_RMS_DB
    music_db = audio_io.rms_db(music)
    return music_db - 20 * float(np.log10(music_gain)) if np.isfinite(music_db) else narration.VOICE_RMS_DB


def _music_credit(bed: MusicBed | None) -> list[SoundCredit]:
    if bed is None:
        return []
    license_ = "CC0-1.0" if bed.source == MusicSourceKind.PROCEDURAL else ""
    return [SoundCredit(layer="music", sound_id=bed.source.value, title=bed.title, license=license_,
                        attribution=bed.attribution)]
