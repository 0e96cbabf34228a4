"""Which language a prompt (or a narration) is written in, from its function words.

Small and dependency-free on purpose: storyboards only need to tell the languages they can write in
apart (English, German, Spanish, French); anything else reads as English.
"""

from __future__ import annotations

import re

STOPWORDS: dict[str, frozenset[str]] = {
    "en": frozenset("the and of a an in to is with on his her their at as from it into how for".split()),
    "de": frozenset("der die das und ein eine einer einem ist mit im auf den dem zu von sich nicht über "
                    "für wie bis zur zum".split()),
    "es": frozenset("el la los las y un una es con en del que se por su al sobre para como".split()),
    "fr": frozenset("le la les et un une est avec dans du des que se sur son au aux pour comme".split()),
}
NAMES = {"en": "English", "de": "German", "es": "Spanish", "fr": "French"}
# Letters that only some of the languages use settle short prompts with few function words.
_LETTERS = {"de": "äöüß", "es": "ñ¿¡", "fr": "çèêàùœ"}


def detect_language(text: str, default: str = "en") -> str:
    """ISO 639-1 code of `text`'s language among STOPWORDS' keys; `default` when nothing tells."""
    lowered = text.casefold()
    words = re.findall(r"[^\W\d_]+", lowered)
    scores = {lang: float(sum(w in stop for w in words)) for lang, stop in STOPWORDS.items()}
    for lang, letters in _LETTERS.items():
        scores[lang] += 0.5 * sum(lowered.count(c) for c in letters)
    best = max(scores, key=lambda lang: scores[lang])
    return best if scores[best] > 0 else default
