"""Which music the soundtrack gets: first source that works wins; every fall-through is a warning
and a metric (youtube -> library -> procedural -> none)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from services.audio import audio_io
from services.audio.cache import BoundedCache, content_key
from services.audio.metrics import MUSIC_FALLTHROUGH, Notes
from services.audio.mix import LOOP_CROSSFADE_S
from services.audio.model import MusicSourceKind, SoundtrackSpec
from services.audio.music import procedural
from services.audio.music.library import LibraryError, MusicLibrary
from services.audio.music.youtube import MusicUnavailable, YouTubeMusic, youtube_video_id
from services.audio.settings import AudioSettings
from services.common.artifacts import ArtifactStore
from services.common.errors import CinesynthError, InvalidArgument, Unavailable

log = logging.getLogger(__name__)

M = MusicSourceKind


@dataclass
class MusicBed:
    """The chosen music: a file to decode, or samples already rendered at the output rate."""

    source: MusicSourceKind
    title: str = ""
    attribution: str = ""
    path: Path | None = None
    samples: np.ndarray | None = None


def source_order(requested: MusicSourceKind, settings: AudioSettings) -> list[MusicSourceKind]:
    """The sources tried, in order, for a requested source (AUTO tries YouTube only when online)."""
    if requested == M.NONE:
        return []
    tail = [M.PROCEDURAL]
    if requested == M.PROCEDURAL:
        return tail
    library = [M.LIBRARY] if (settings.music_library_dir or requested == M.LIBRARY) else []
    if requested == M.LIBRARY:
        return [*library, *tail]
    youtube = [M.YOUTUBE] if (requested == M.YOUTUBE or settings.online) else []
    return [*youtube, *library, *tail]


class MusicSelector:
    def __init__(
        self, settings: AudioSettings, store: ArtifactStore, *, youtube: YouTubeMusic | None = None,
        library: MusicLibrary | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self.youtube = youtube or YouTubeMusic(
            timeout_s=settings.youtube_timeout_s, max_bytes=int(settings.youtube_max_mb * 1e6),
            max_duration_s=settings.youtube_max_track_s, allowed_hosts=settings.youtube_allowed_hosts,
        )
        self.library = library or (MusicLibrary(settings.music_library_dir) if settings.music_library_dir else None)
        # A score is a pure function of brief, seed, length and rate: a retried or repeated job reuses it.
        self.scores: BoundedCache[tuple[np.ndarray, procedural.ScorePlan]] = BoundedCache(
            "procedural_score", settings.score_cache_bytes
        )

    def select(self, spec: SoundtrackSpec, duration_s: float, workdir: Path, notes: Notes) -> MusicBed | None:
        """The music bed, or None for silence."""
        if spec.music_uri:
            bed = self._given(spec, duration_s, workdir, notes)
            if bed is not None:
                return bed
        attempts: dict[MusicSourceKind, Callable[[], MusicBed]] = {
            M.YOUTUBE: lambda: self._youtube(spec, workdir),
            M.LIBRARY: lambda: self._library(spec),
            M.PROCEDURAL: lambda: self._procedural(spec, duration_s),
        }
        for source in source_order(spec.music_source, self.settings):
            try:
                return self._decoded(attempts[source](), duration_s, workdir)
            except Exception as exc:  # any failure of one source degrades to the next, never fails the job
                reason = str(exc)
                if not isinstance(exc, MusicUnavailable | LibraryError | CinesynthError | audio_io.NonFiniteSamples):
                    # Unexpected: full detail in the log, no internals (paths) in the client's warning.
                    log.exception("music source failed", extra={"source": source.value})
                    reason = f"internal error ({type(exc).__name__})"
                MUSIC_FALLTHROUGH.labels(source=source.value).inc()
                notes.fallback(f"music_{source.value}_failed", f"{source.value} music unavailable: {reason}")
        if spec.music_source != M.NONE:
            notes.fallback("music_silence", "no music source worked; the soundtrack has no music")
        return None

    def _decoded(self, bed: MusicBed, duration_s: float, workdir: Path) -> MusicBed:
        """Files are decoded inside the attempt, so an undecodable download falls through too."""
        if bed.samples is None and bed.path is not None:
            try:
                bed.samples = audio_io.decode(
                    bed.path, workdir, sample_rate=self.settings.sample_rate, channels=2,
                    max_seconds=duration_s + LOOP_CROSSFADE_S + 1.0,
                )
            except CinesynthError as exc:
                raise MusicUnavailable("the track is not audio ffmpeg can decode") from exc
            if bed.samples.shape[0] < self.settings.sample_rate // 2:
                raise MusicUnavailable("the track is shorter than half a second")
        return bed

    def _given(self, spec: SoundtrackSpec, duration_s: float, workdir: Path, notes: Notes) -> MusicBed | None:
        """The request's own track (music-video mode). Failing is fatal when it *is* the soundtrack."""
        try:
            if youtube_video_id(spec.music_uri):
                fetched = self.youtube.fetch(spec.music_uri, workdir)
                info = fetched.info
                bed = MusicBed(M.YOUTUBE, info.title, _youtube_credit(info.title, info.author, info.watch_url),
                               fetched.path)
            else:
                dest = workdir / "given-track"
                self.store.download(spec.music_uri, dest)
                bed = MusicBed(M.PROVIDED, self.store.key_for(spec.music_uri).rsplit("/", 1)[-1], "", dest)
            return self._decoded(bed, duration_s, workdir)
        except audio_io.NonFiniteSamples as exc:  # the client's file is bad: say so, never degrade silently
            raise InvalidArgument.field("music_uri", audio_io.NON_FINITE_MESSAGE) from exc
        except (MusicUnavailable, OSError, CinesynthError) as exc:
            # OSError text may carry local paths: only its short reason reaches the client.
            reason = (exc.strerror or type(exc).__name__) if isinstance(exc, OSError) else str(exc)
            if spec.music_is_soundtrack:
                message = f"the music track could not be fetched: {reason}"
                raise Unavailable(message, dependency_failed=True) from exc
            MUSIC_FALLTHROUGH.labels(source="music_uri").inc()
            notes.fallback("music_uri_failed", f"the requested music track could not be used: {reason}")
            return None

    def _youtube(self, spec: SoundtrackSpec, workdir: Path) -> MusicBed:
        query = spec.brief.query or spec.brief.text()
        fetched = self.youtube.search(query, workdir)
        info = fetched.info
        return MusicBed(M.YOUTUBE, info.title, _youtube_credit(info.title, info.author, info.watch_url), fetched.path)

    def _library(self, spec: SoundtrackSpec) -> MusicBed:
        if self.library is None:
            raise LibraryError("no music library is configured (CINESYNTH_MUSIC_LIBRARY_DIR)")
        match = self.library.choose(spec.brief.text(), self.settings.library_min_similarity)
        log.info("library track chosen", extra={"similarity": round(match.similarity, 3)})
        track = match.track
        return MusicBed(M.LIBRARY, track.title or track.path.stem, track.attribution(), track.path)

    def _procedural(self, spec: SoundtrackSpec, duration_s: float) -> MusicBed:
        rate = self.settings.sample_rate
        key = content_key("score", spec.brief, spec.seed, duration_s, rate)
        samples, plan = self.scores.get_or_compute(
            key, lambda: procedural.render_score(spec.brief, spec.seed, duration_s, rate)
        )
        return MusicBed(M.PROCEDURAL, plan.title, "Procedural score generated by cinesynth", samples=samples)


def _youtube_credit(title: str, author: str, watch_url: str) -> str:
    by = f" by {author}" if author else ""
    return f'"{title}"{by} — {watch_url}'
