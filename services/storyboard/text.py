"""Small text helpers shared by the planner and the parser: templates, tidying, word budgets."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

_SMALL_WORDS = frozenset("a an the and or but nor of in on at to for by with from as vs via".split())
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")


class _Blank(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return ""


def fill(template: str, slots: Mapping[str, str]) -> str:
    """Format a template; a slot with no value vanishes and the punctuation around it is tidied."""
    return tidy(template.format_map(_Blank(slots)))


def tidy(text: str) -> str:
    text = re.sub(r"\s+", " ", text)
    text = re.sub(r"\s+([,.;:!?…])", r"\1", text)
    text = re.sub(r"([,;:])(?:\s*[,;:])+", r"\1", text)
    text = re.sub(r"^[\s,;:]+", "", text)
    text = re.sub(r"[,;:]\s*([.!?])", r"\1", text)
    text = re.sub(r"\(\s*\)", "", text)
    return capitalise_sentences(text.strip())


def capitalise_sentences(text: str) -> str:
    parts = _SENTENCE_END.split(text)
    return " ".join(p[:1].upper() + p[1:] if p else p for p in parts)


def title_case(text: str) -> str:
    words = text.split()
    out = []
    for i, word in enumerate(words):
        lower = word.lower()
        if i and lower in _SMALL_WORDS:
            out.append(lower)
        elif word[:1].islower():
            out.append(word[:1].upper() + word[1:])
        else:
            out.append(word)
    return " ".join(out)


def word_count(text: str) -> int:
    return len(text.split())


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text.strip()) if s.strip()]


def narration_target(duration_s: float, words_per_second: float, max_words: int) -> int:
    """How many words fit a scene when spoken at `words_per_second` (at least two)."""
    return max(2, min(max_words, round(duration_s * words_per_second)))


def fit_words(candidates: Iterable[str], target: int) -> str:
    """Sentences in order until the text holds about `target` words (0.85x..1.15x where possible).

    A first sentence longer than the budget is cut at a word boundary and closed with a full stop.
    """
    chosen: list[str] = []
    count = 0
    upper = max(target + 1, round(target * 1.15))
    for sentence in candidates:
        n = word_count(sentence)
        if n == 0 or sentence in chosen:
            continue
        if not chosen and n > upper:
            words = sentence.split()[:target]
            return _close(" ".join(words))
        if count + n <= upper:
            chosen.append(sentence)
            count += n
        if count >= target * 0.85:
            break
    return " ".join(chosen)


def trim_to_words(text: str, target: int) -> str:
    """Whole sentences up to about `target` words; a single long one is cut at a word boundary."""
    kept = fit_words(sentences(text), target)
    return kept or _close(" ".join(text.split()[:target]))


def _close(text: str) -> str:
    text = text.rstrip(" ,;:—–-")
    return text if text.endswith((".", "!", "?", "…")) else text + "."


def clip(text: str, limit: int) -> str:
    """At most `limit` characters, cut at a word boundary."""
    text = text.strip()
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut or text[:limit]


_CLIP_PIECE = re.compile(r"[A-Za-z]+|\d+|[^\sA-Za-z\d]")


def clip_token_estimate(text: str) -> int:
    """An upper estimate of the CLIP BPE tokens of `text` (start and end tokens not counted).

    CLIP's vocabulary holds most short English words whole; a long or rare word takes a token per
    five or six letters, a number one per two digits, and every other character (punctuation, letters
    outside ASCII) its own byte-level pieces.
    """
    total = 0
    for piece in _CLIP_PIECE.findall(text):
        if piece[0].isascii() and piece[0].isalpha():
            total += -(-len(piece) // 6)
        elif piece.isdigit():
            total += -(-len(piece) // 2)
        else:
            total += 1 if piece.isascii() else 2
    return total


def clip_to_tokens(text: str, budget: int) -> str:
    """The longest word-boundary prefix of `text` within `budget` estimated CLIP tokens."""
    if clip_token_estimate(text) <= budget:
        return text
    words = text.split()
    while words and clip_token_estimate(" ".join(words)) > budget:
        words.pop()
    return " ".join(words).rstrip(",;:")
