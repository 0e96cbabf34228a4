"""Narration text: whitespace clean-up and sentence splitting (one caption cue per sentence)."""

from __future__ import annotations

import re
import textwrap

_SPACE = re.compile(r"\s+")
# A sentence ends at . ! ? or … (possibly several, possibly followed by a closing quote or bracket)
# when whitespace follows.
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”’)\]]*\s+")
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof st jr sr vs etc e.g i.e fig no approx capt lt col gen sgt mt ft".split()
)


def clean(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def split_sentences(text: str) -> list[str]:
    """Sentences of a narration, punctuation kept; abbreviations such as "Dr." do not end one."""
    text = clean(text)
    if not text:
        return []
    pieces: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        candidate = text[start : match.start()].rstrip("\"'”’)]")
        last_word = candidate.rsplit(" ", 1)[-1].rstrip(".").lower()
        if last_word in _ABBREVIATIONS or (len(last_word) == 1 and last_word.isalpha()):
            continue  # "Dr. Smith", "J. R. R. Tolkien"
        pieces.append(text[start : match.end()].strip())
        start = match.end()
    pieces.append(text[start:].strip())
    return [p for p in pieces if any(ch.isalnum() for ch in p)]


def wrap_caption(text: str, width: int = 42) -> str:
    """Caption text broken into lines of at most `width` characters (broadcast convention)."""
    return "\n".join(textwrap.wrap(clean(text), width=width, break_long_words=False)) or clean(text)


def lyric_lines(lyrics: str) -> list[str]:
    """Non-empty lyric lines (section markers such as "[Chorus]" dropped)."""
    lines = []
    for raw in lyrics.splitlines():
        line = clean(raw)
        if line and not (line.startswith("[") and line.endswith("]")):
            lines.append(line)
    return lines
