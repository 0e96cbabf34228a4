"""Hypothesis strategies for hostile CreateVideo requests.

Every field is drawn either near its valid range (so some requests pass validation and create real
jobs) or from the whole of its type: random and unicode text, control characters, right-to-left
marks, path traversal, SQL, empty and over-long strings, huge / negative / NaN / infinite numbers,
enum values the contract does not define, missing sources and fields, SSRF callback targets.
"""

from __future__ import annotations

import math
import uuid

from hypothesis import strategies as st

from services.common import pb

video = pb.video_pb2
common = pb.common_pb2

INT32 = st.integers(-(2**31), 2**31 - 1)
INT64 = st.integers(-(2**63), 2**63 - 1)
# Protobuf strings are UTF-8: lone surrogates cannot be sent at all, everything else can.
ANY_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=120)
TRICKY_TEXT = st.sampled_from([
    "", " ", "\x00", "\x00\x01\x1f", "\n\r\t", "\u202e\u200b\ufeff", "../../../etc/passwd", "..\\..\\boot.ini",
    "%2e%2e%2f%2e%2e%2f", "'; DROP TABLE jobs;--", "{{7*7}}", "${jndi:ldap://x}", "😀" * 64, "é" * 300,
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "NaN", "-1", "1e309",
])
TEXT = st.one_of(ANY_TEXT, TRICKY_TEXT)
# Longer than any limit, cheap to draw: one character repeated.
LONG_TEXT = st.builds(lambda n, c: c * n, st.integers(3_990, 20_000), st.sampled_from(["a", "é", "😀", "\x00", " "]))
NUMBERS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0.0, -0.0, -1.0, 1e-300, 1e308, -1e308, math.inf, -math.inf, math.nan]),
)


def near(valid: st.SearchStrategy, anything: st.SearchStrategy) -> st.SearchStrategy:
    """Half the time a plausible value, half the time anything of the type."""
    return st.one_of(valid, anything)


ENUMS = near(st.integers(0, 11), INT32)

@st.composite
def voices(draw: st.DrawFn) -> common.VoiceOptions:
    return common.VoiceOptions(
        voice=draw(near(st.sampled_from(["piper", "gtts", "none", "PIPER ", "espeak"]), TEXT)),
        language=draw(near(st.sampled_from(["", "en", "en-US", "fr", "zz-ZZZZZZZZZ"]), TEXT)),
        speaking_rate=draw(near(st.sampled_from([0.0, 0.5, 1.0, 2.0]), NUMBERS)),
    )


# VideoSpec fields: (a plausible value, anything of the type).
SPEC_FIELDS: dict[str, tuple[st.SearchStrategy, st.SearchStrategy]] = {
    "duration_s": (st.floats(5, 60), NUMBERS),
    "scene_count": (st.integers(1, 6), INT32),
    "fps": (st.sampled_from([0, 12, 24]), INT32),
    "width": (st.sampled_from([0, 320]), INT32),
    "height": (st.sampled_from([0, 180]), INT32),
    "aspect": (st.integers(0, 4), INT32),
    "tier": (st.sampled_from([0, common.TIER_DRAFT]), INT32),
    "music_source": (st.integers(0, 5), INT32),
    "storyboard_backend": (st.sampled_from([0, common.STORYBOARD_BACKEND_PLANNER]), INT32),
    "transition": (st.integers(0, 4), INT32),
    "style": (st.sampled_from(["", "film noir"]), st.one_of(TEXT, LONG_TEXT)),
    "allow_degrade": (st.booleans(), st.booleans()),
    "seed": (st.integers(0, 2**31), INT64),
    "captions": (st.booleans(), st.booleans()),
}


@st.composite
def specs(draw: st.DrawFn, wild: frozenset[str]) -> video.VideoSpec:
    """Each field set or not; the fields in `wild` drawn from their whole type."""
    spec = video.VideoSpec()
    for name, (plausible, anything) in SPEC_FIELDS.items():
        if name in wild or draw(st.booleans()):
            setattr(spec, name, draw(anything if name in wild else plausible))
    if "voice" in wild:
        spec.voice.CopyFrom(draw(voices()))
    elif draw(st.booleans()):
        spec.voice.voice = draw(st.sampled_from(["", "none", "piper"]))
    return spec


@st.composite
def storyboards(draw: st.DrawFn) -> common.Storyboard:
    scenes = []
    for index in range(draw(st.integers(0, 6))):
        scene = common.Scene(
            index=draw(near(st.just(index), INT32)),
            title=draw(TEXT),
            description=draw(TEXT),
            visual_prompt=draw(near(TEXT, LONG_TEXT)),
            narration=draw(near(TEXT, LONG_TEXT)),
            duration_s=draw(near(st.floats(1, 30), NUMBERS)),
            start_s=draw(NUMBERS),
            transition=draw(ENUMS),
            transition_s=draw(NUMBERS),
            motion_intensity=draw(NUMBERS),
        )
        if draw(st.booleans()):
            scene.shot.camera_pose.CopyFrom(
                common.CameraMotion(pan=draw(NUMBERS), tilt=draw(NUMBERS), zoom=draw(NUMBERS), move=draw(TEXT))
            )
        scenes.append(scene)
    return common.Storyboard(
        title=draw(TEXT), scenes=scenes, total_duration_s=draw(NUMBERS), seed=draw(INT64), style=draw(TEXT)
    )


@st.composite
def music_inputs(draw: st.DrawFn) -> video.MusicInput:
    music = video.MusicInput(
        genre_tags=draw(st.lists(TEXT, max_size=20)),
        mv_type=draw(ENUMS),
        lyrics=draw(near(TEXT, LONG_TEXT)),
        narration=draw(st.booleans()),
    )
    which = draw(st.sampled_from(["upload", "library", "none"]))
    if which == "upload":
        music.upload_id = draw(near(st.uuids().map(lambda u: u.hex), TEXT))
    elif which == "library":
        music.library_track_id = draw(near(st.sampled_from(["track-1", "../library.json"]), TEXT))
    return music


CALLBACK_HOSTS = st.sampled_from([
    "127.0.0.1", "localhost", "[::1]", "0.0.0.0", "10.0.0.1", "192.168.1.1", "169.254.169.254", "[fd00::1]",
    "2130706433", "0x7f000001", "user:secret@127.0.0.1", "127.0.0.1:50051", "[::ffff:127.0.0.1]",
    "example.invalid", "203.0.113.7",
])
CALLBACK_URLS = st.one_of(
    st.just(""),
    TEXT,
    st.builds(
        lambda scheme, host, path: f"{scheme}://{host}{path}",
        st.sampled_from(["http", "https", "ftp", "file", "gopher", "javascript", "HTTP"]),
        CALLBACK_HOSTS,
        st.sampled_from(["", "/", "/hook?x=1", "/../../admin", "#frag", "/%0d%0aX-Injected:1"]),
    ),
    LONG_TEXT.map(lambda tail: "https://203.0.113.7/" + tail),
)


REQUEST_FIELDS = ("request_id", "source", "labels", "callback_url", "spec", "voice", *SPEC_FIELDS)


@st.composite
def create_requests(draw: st.DrawFn) -> video.CreateVideoRequest:
    """A third fully hostile, a third valid but for one field, a third valid (these create jobs)."""
    mode = draw(st.sampled_from(["hostile", "one_bad_field", "valid"]))
    wild = frozenset(REQUEST_FIELDS) if mode == "hostile" else frozenset()
    if mode == "one_bad_field":
        wild = frozenset([draw(st.sampled_from(REQUEST_FIELDS))])
    request = video.CreateVideoRequest(
        request_id=draw(
            st.one_of(st.just(""), TEXT, LONG_TEXT) if "request_id" in wild else st.builds(lambda: str(uuid.uuid4()))
        ),
        labels=draw(
            st.dictionaries(near(st.sampled_from(["team", "a/b", "x.y"]), TEXT), TEXT, max_size=40)
            if "labels" in wild
            else st.dictionaries(st.sampled_from(["team", "run"]), st.sampled_from(["a", "b"]), max_size=2)
        ),
        callback_url=draw(CALLBACK_URLS if "callback_url" in wild else st.just("")),
    )
    source = draw(st.sampled_from(["prompt", "storyboard", "music", "none"])) if "source" in wild else "prompt"
    if source == "prompt":
        request.prompt = draw(
            st.one_of(TEXT, LONG_TEXT) if "source" in wild else st.sampled_from(["a lighthouse keeper", "ein Film"])
        )
    elif source == "storyboard":
        request.storyboard.CopyFrom(draw(storyboards()))
    elif source == "music":
        request.music.CopyFrom(draw(music_inputs()))
    if "spec" in wild and draw(st.booleans()):
        return request  # no spec at all
    request.spec.CopyFrom(draw(specs(wild)))
    return request


@st.composite
def metadata_for(draw: st.DrawFn, valid_key: str) -> list[tuple[str, str]]:
    """Call metadata: the right key (three times in four), none, a wrong one, a malformed header."""
    if draw(st.integers(0, 3)) > 0:
        return [("authorization", f"Bearer {valid_key}")]
    printable = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=80)
    header = draw(st.one_of(
        st.just(f"bearer   {valid_key}  "),
        st.builds(lambda k: f"Bearer {k}", printable),
        st.sampled_from(["", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", f"Token {valid_key}"]),
        printable,
    ))
    return draw(st.sampled_from([
        [],
        [("authorization", header)],
        [("authorization", header), ("authorization", f"Bearer {valid_key}")],
    ]))
