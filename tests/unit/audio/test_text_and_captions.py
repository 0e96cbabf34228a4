from __future__ import annotations

import re

from services.audio import captions, text
from services.audio.model import CaptionCue
from services.audio.narration import caption_cues, estimated_spans


def test_sentences_split_on_terminal_punctuation_but_not_abbreviations() -> None:
    narration = 'Dr. Rivera opens the vault. "Is anyone there?" she asks! It is 3.5 km deep… Silence.'
    assert text.split_sentences(narration) == [
        "Dr. Rivera opens the vault.",
        '"Is anyone there?"',
        "she asks!",
        "It is 3.5 km deep…",
        "Silence.",
    ]
    assert text.split_sentences("  no punctuation at all  ") == ["no punctuation at all"]
    assert text.split_sentences(" ...  ") == []


def test_srt_and_vtt_follow_their_formats() -> None:
    cues = [
        CaptionCue(0.35, 2.5, "The city sleeps.", 0),
        CaptionCue(3661.0, 3662.25, "A <b> & c --> d\n\nsecond line", 1),
    ]
    srt = captions.to_srt(cues)
    assert srt.startswith("1\n00:00:00,350 --> 00:00:02,500\nThe city sleeps.\n\n2\n01:01:01,000 --> 01:01:02,250\n")
    assert "\n\nsecond line" not in srt  # a blank line would end the cue early
    vtt = captions.to_vtt(cues)
    assert vtt.startswith("WEBVTT\n\n1\n00:00:00.350 --> 00:00:02.500\n")
    assert "A &lt;b&gt; &amp; c --&gt; d\nsecond line" in vtt
    timings = re.findall(r"(\d\d:\d\d:\d\d\.\d{3}) --> (\d\d:\d\d:\d\d\.\d{3})", vtt)
    assert len(timings) == 2


def test_caption_cues_linger_but_never_overlap_or_leave_the_scene() -> None:
    spans = [(1.0, 1.4, "Short."), (1.5, 3.0, "A longer sentence."), (9.7, 9.95, "End.")]
    cues = caption_cues(spans, scene_index=2, scene_end_s=10.0)
    assert [c.scene_index for c in cues] == [2, 2, 2]
    assert cues[0].end_s <= cues[1].start_s  # the first one lingers only up to the next
    assert cues[0].end_s >= 1.4
    for cue in cues:
        assert 0 <= cue.start_s < cue.end_s <= 10.0
    assert cues[-1].end_s == 10.0  # linger clipped at the scene's end


def test_estimated_caption_times_fit_their_window() -> None:
    spans = estimated_spans(["One.", "Two words here.", "Three."], start_s=5.0, end_s=6.0)
    assert spans[0][0] == 5.0 and abs(spans[-1][1] - 6.0) < 1e-9
    assert all(a < b for a, b, _ in spans)


def test_lyric_cues_stay_inside_the_scene_holding_them_and_are_monotonic() -> None:
    lyrics = "[Verse]\nWe ran along the river\nUnder neon rain\n\n[Chorus]\nHold on, hold on\nTill the morning comes"
    scenes = [(0, 0.0, 8.0), (1, 8.0, 16.0), (2, 16.0, 24.0)]
    cues = captions.lyric_cues(lyrics, scenes, 24.0)
    assert [c.text for c in cues] == [
        "We ran along the river", "Under neon rain", "Hold on, hold on", "Till the morning comes"
    ]
    bounds = {i: (a, b) for i, a, b in scenes}
    previous_end = 0.0
    for cue in cues:
        lo, hi = bounds[cue.scene_index]
        assert lo <= cue.start_s < cue.end_s <= hi
        assert cue.start_s >= previous_end
        previous_end = cue.end_s
    assert captions.lyric_cues("", scenes, 24.0) == []
