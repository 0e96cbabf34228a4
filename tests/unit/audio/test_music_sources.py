"""YouTube (local doubles, stalled and unreachable networks), the fall-through chain, the library."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from prometheus_client import REGISTRY

from services.audio.metrics import Notes
from services.audio.model import MusicBriefSpec, MusicSourceKind, SoundtrackSpec
from services.audio.music.library import LibraryError, MusicLibrary
from services.audio.music.selection import MusicSelector, source_order
from services.audio.music.youtube import (
    MusicUnavailable,
    PytubefixFinder,
    StreamInfo,
    YouTubeMusic,
    download,
    host_allowed,
    youtube_video_id,
)
from services.audio.settings import AudioSettings
from services.common.artifacts import FileArtifactStore
from services.common.errors import Unavailable
from tests.unit.audio.conftest import FakeHTTP, make_audio

M = MusicSourceKind
HOSTS = ["youtube.com", "googlevideo.com"]


def fallbacks(kind: str) -> float:
    return REGISTRY.get_sample_value("cinesynth_fallbacks_total", {"stage": "soundtrack", "kind": kind}) or 0.0


def test_only_youtube_hosts_and_video_urls_pass() -> None:
    assert host_allowed("https://rr3---sn-abc.googlevideo.com/videoplayback?x=1", HOSTS)
    assert host_allowed("https://www.youtube.com/watch?v=dQw4w9WgXcQ", HOSTS)
    assert not host_allowed("https://googlevideo.com.evil.example/x", HOSTS)
    assert not host_allowed("https://evilyoutube.com/x", HOSTS)
    assert not host_allowed("ftp://youtube.com/x", HOSTS)
    assert not host_allowed("http://rr3---sn-abc.googlevideo.com/videoplayback", HOSTS)  # https only
    assert host_allowed("http://127.0.0.1:8080/videoplayback", ["127.0.0.1"])  # a loopback relay
    assert youtube_video_id("https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=3") == "dQw4w9WgXcQ"
    assert youtube_video_id("https://youtu.be/dQw4w9WgXcQ") == "dQw4w9WgXcQ"
    assert youtube_video_id("https://music.youtube.com/shorts/dQw4w9WgXcQ") == "dQw4w9WgXcQ"
    assert youtube_video_id("https://vimeo.com/123456") is None
    assert youtube_video_id("https://www.youtube.com/watch?v=short") is None


class FakeFinder:
    """Stands in for pytubefix's search: answers with a stream on a loopback 'googlevideo' host."""

    def __init__(self, url: str, *, delay_s: float = 0.0, filesize: int | None = None) -> None:
        self.url = url
        self.delay_s = delay_s
        self.filesize = filesize
        self.queries: list[str] = []

    def _info(self) -> StreamInfo:
        time.sleep(self.delay_s)
        return StreamInfo(self.url, "Neon Rain (instrumental)", "https://www.youtube.com/watch?v=AAAAAAAAAAA",
                          filesize=self.filesize, duration_s=3.0, author="Test Artist")

    def search(self, query: str, *, max_duration_s: float) -> StreamInfo:
        self.queries.append(query)
        return self._info()

    def resolve(self, watch_url: str) -> StreamInfo:
        return self._info()


@pytest.fixture
def m4a(tmp_path: Path) -> bytes:
    return make_audio(tmp_path / "track.m4a", seconds=3.0, codec=["-c:a", "aac", "-b:a", "64k"]).read_bytes()


def youtube(finder: FakeFinder, **kw: object) -> YouTubeMusic:
    options: dict[str, object] = {"timeout_s": 5.0, "max_bytes": 5_000_000, "max_duration_s": 600,
                                  "allowed_hosts": ["127.0.0.1"]}
    options.update(kw)
    return YouTubeMusic(finder=finder, **options)  # type: ignore[arg-type]


def selector(
    settings: AudioSettings, yt: YouTubeMusic | None = None, library: MusicLibrary | None = None
) -> MusicSelector:
    store = FileArtifactStore(settings.artifact_store.removeprefix("file://"))
    return MusicSelector(settings, store, youtube=yt, library=library)


def test_youtube_source_downloads_from_a_local_double(
    fake_http: FakeHTTP, m4a: bytes, audio_settings: Callable[..., AudioSettings], tmp_path: Path
) -> None:
    fake_http.routes["/videoplayback"] = (200, {"Content-Type": "audio/mp4"}, m4a)
    finder = FakeFinder(fake_http.base + "/videoplayback?id=1")
    spec = SoundtrackSpec(scenes=(), brief=MusicBriefSpec(mood="tense", query="synthwave chase"),
                          total_duration_s=4.0, music_source=M.YOUTUBE)
    notes = Notes()
    bed = selector(audio_settings(), youtube(finder)).select(spec, 4.0, tmp_path, notes)
    assert bed is not None and bed.source == M.YOUTUBE and notes.items == []
    assert finder.queries == ["synthwave chase"]
    assert bed.title == "Neon Rain (instrumental)" and "Test Artist" in bed.attribution
    assert bed.samples is not None and abs(bed.samples.shape[0] / 48000 - 3.0) < 0.1
    assert bed.samples.shape[1] == 2 and abs(bed.samples).max() > 0.1


def test_download_guards_size_hosts_and_redirects(fake_http: FakeHTTP, m4a: bytes, tmp_path: Path) -> None:
    fake_http.routes["/big"] = (200, {}, m4a)
    fake_http.routes["/redirect"] = (302, {"Location": "http://evil.example/steal"}, b"")
    deadline = time.monotonic() + 5
    with pytest.raises(MusicUnavailable, match="cap"):
        download(fake_http.base + "/big", tmp_path / "a", allowed_hosts=["127.0.0.1"], max_bytes=1000,
                 deadline=deadline)
    assert not (tmp_path / "a").exists()
    with pytest.raises(MusicUnavailable, match="allowed"):
        download(fake_http.base + "/redirect", tmp_path / "b", allowed_hosts=["127.0.0.1"], max_bytes=10**7,
                 deadline=deadline)
    with pytest.raises(MusicUnavailable, match="allowed"):
        download(fake_http.base + "/big", tmp_path / "c", allowed_hosts=HOSTS, max_bytes=10**7, deadline=deadline)


def test_youtube_stall_is_abandoned_at_the_timeout_and_the_chain_falls_through(
    audio_settings: Callable[..., AudioSettings], tmp_path: Path
) -> None:
    hung = FakeFinder("http://127.0.0.1:9/never", delay_s=30)
    settings = audio_settings(online=True)
    spec = SoundtrackSpec(scenes=(), brief=MusicBriefSpec(mood="calm"), total_duration_s=3.0)
    before = fallbacks("music_youtube_failed")
    notes = Notes()
    start = time.monotonic()
    bed = selector(settings, youtube(hung, timeout_s=0.5)).select(spec, 3.0, tmp_path, notes)
    assert time.monotonic() - start < 0.5 + 20.0  # well under the 30 s stall: the timeout plus the procedural bed
    assert bed is not None and bed.source == M.PROCEDURAL
    assert [n.code for n in notes.items] == ["music_youtube_failed"]
    assert "did not answer within 0.5 s" in notes.items[0].message
    assert fallbacks("music_youtube_failed") == before + 1
    assert threading.active_count() < 50


def test_pytubefix_with_no_internet_fails_fast(offline: None, tmp_path: Path) -> None:
    """The real pytubefix search through a proxy that refuses connections."""
    yt = YouTubeMusic(timeout_s=10.0, max_bytes=10**7, max_duration_s=600, allowed_hosts=HOSTS,
                      finder=PytubefixFinder())
    start = time.monotonic()
    with pytest.raises(MusicUnavailable):
        yt.search("calm piano", tmp_path)
    assert time.monotonic() - start < 10.0


def test_source_order_and_silence_as_the_last_resort(
    audio_settings: Callable[..., AudioSettings], tmp_path: Path
) -> None:
    offline_settings = audio_settings()
    assert source_order(M.AUTO, offline_settings) == [M.PROCEDURAL]
    everything = audio_settings(online=True, music_library_dir="/x")
    assert source_order(M.AUTO, everything) == [M.YOUTUBE, M.LIBRARY, M.PROCEDURAL]
    assert source_order(M.LIBRARY, offline_settings) == [M.LIBRARY, M.PROCEDURAL]
    assert source_order(M.NONE, offline_settings) == []
    # A requested library that is not configured falls through, with a warning for each step.
    notes = Notes()
    spec = SoundtrackSpec(scenes=(), brief=MusicBriefSpec(mood="sad"), total_duration_s=2.0, music_source=M.LIBRARY)
    bed = selector(offline_settings).select(spec, 2.0, tmp_path, notes)
    assert bed is not None and bed.source == M.PROCEDURAL
    assert [n.code for n in notes.items] == ["music_library_failed"]
    none_spec = SoundtrackSpec(scenes=(), total_duration_s=2.0, music_source=M.NONE)
    assert selector(offline_settings).select(none_spec, 2.0, tmp_path, Notes()) is None


LIBRARY = [
    ("rain.wav", "Rain on Glass", "A slow, sad solo piano ballad for a lonely rainy night.", ["sad", "piano"]),
    ("battle.wav", "Iron Banners", "Epic orchestral battle music with thundering war drums and heroic brass.",
     ["epic", "orchestral"]),
    ("sunny.wav", "Lemonade Days", "An upbeat, happy ukulele tune for a sunny summer picnic.", ["happy", "ukulele"]),
    ("void.wav", "Below the Hull", "Dark ambient horror drones, eerie, cold and unsettling.", ["dark", "horror"]),
]


def test_library_retrieval_picks_the_matching_track(
    tmp_path: Path, audio_settings: Callable[..., AudioSettings]
) -> None:
    root = tmp_path / "library"
    root.mkdir()
    for i, (name, *_rest) in enumerate(LIBRARY):
        make_audio(root / name, seconds=1.0, codec=["-ar", "48000"], source=f"sine=f={220 + 110 * i}")
    (root / "library.json").write_text(json.dumps({"tracks": [
        {"file": f, "title": t, "description": d, "tags": tags, "artist": "Test Ensemble", "license": "CC0"}
        for f, t, d, tags in LIBRARY
    ] + [{"file": "missing.wav", "title": "Gone", "description": "not on disk"}]}))
    library = MusicLibrary(root)
    assert library.choose(MusicBriefSpec(mood="heroic", genre="orchestral", query="battle").text(), 0.2).track.title \
        == "Iron Banners"
    assert library.choose(MusicBriefSpec(mood="melancholic", query="rainy night piano").text(), 0.2).track.title \
        == "Rain on Glass"
    assert library.choose(MusicBriefSpec(mood="happy", query="sunny summer day").text(), 0.2).track.title \
        == "Lemonade Days"
    with pytest.raises(LibraryError, match="no library track matches"):
        library.choose("spreadsheet accounting tutorial", 0.95)
    # Through the selector: the track, its credits, decoded at 48 kHz stereo.
    settings = audio_settings(music_library_dir=str(root))
    spec = SoundtrackSpec(scenes=(), brief=MusicBriefSpec(mood="horror", query="eerie drones"), total_duration_s=2.0)
    notes = Notes()
    bed = selector(settings, library=library).select(spec, 2.0, tmp_path, notes)
    assert bed is not None and bed.source == M.LIBRARY and bed.title == "Below the Hull" and notes.items == []
    assert bed.attribution == '"Below the Hull" by Test Ensemble (CC0)'
    assert bed.samples is not None and bed.samples.shape == (48000, 2)


def test_a_given_track_that_fails_is_fatal_only_when_it_is_the_soundtrack(
    audio_settings: Callable[..., AudioSettings], tmp_path: Path
) -> None:
    hung = FakeFinder("http://127.0.0.1:9/never", delay_s=30)
    url = "https://www.youtube.com/watch?v=AAAAAAAAAAA"
    bed_spec = SoundtrackSpec(scenes=(), total_duration_s=2.0, music_uri=url)
    notes = Notes()
    bed = selector(audio_settings(), youtube(hung, timeout_s=0.3)).select(bed_spec, 2.0, tmp_path, notes)
    assert bed is not None and bed.source == M.PROCEDURAL
    assert [n.code for n in notes.items] == ["music_uri_failed"]
    mv_spec = SoundtrackSpec(scenes=(), total_duration_s=2.0, music_uri=url, music_is_soundtrack=True)
    with pytest.raises(Unavailable, match="could not be fetched"):
        selector(audio_settings(), youtube(hung, timeout_s=0.3)).select(mv_spec, 2.0, tmp_path, Notes())
