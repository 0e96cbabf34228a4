"""What clients are shown names no internal address or host path; the rest of a message stays."""

from __future__ import annotations

import pytest

from gateway.redact import public_message


@pytest.mark.parametrize(
    ("raw", "kept"),
    [
        ("failed to connect to all addresses; last error: UNKNOWN: ipv4:127.0.0.1:50054: Connection refused",
         "failed to connect to all addresses; last error: UNKNOWN: <service address>: Connection refused"),
        ("UNAVAILABLE: ipv4:10.1.2.3:50053,10.1.2.4:50053: Socket closed",
         "UNAVAILABLE: <service address>: Socket closed"),
        ("ipv6:[::1]:50055 and [fe80::1]:9 gone", "<service address> and <service address> gone"),
        ("dns:///imagegen-ultra.prod.svc.cluster.local:50053 unreachable", "<service address> unreachable"),
        ("imagegen-0.imagegen.ns.svc:50053 refused", "<service address> refused"),
        ("unix:/run/cinesynth/audio.sock closed", "<service address> closed"),
        ("cannot decode /work/run/artifacts/uploads/t/1/song.wav: bad header", "cannot decode <path>: bad header"),
        ("keyframe missing: file:///tmp/a/jobs/x/keyframes/scene-00.png", "keyframe missing: <artifact location>"),
        ("s3://bucket/jobs/x/video.mp4 not found", "<artifact location> not found"),
    ],
)
def test_addresses_and_paths_are_replaced(raw: str, kept: str) -> None:
    assert public_message(raw) == kept


@pytest.mark.parametrize(
    "text",
    [
        "image worker busy: 1 generating, 8 queued (capacity 8)",
        "the track is 3.0 s long; a music video is 5..600 s",
        "keyframes/scene-01.png has 10 bytes, 12 were reported",
        "rendered at 10 kB/s and/or 24 fps, 12:30 UTC, version 1.2.3",
        "jobs/0123abcd/artifacts/video.mp4",
    ],
)
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert public_message(text) == text
