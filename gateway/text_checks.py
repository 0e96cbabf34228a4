"""Text a client sends that no stage can use: NUL and other control characters, or nothing visible.

A prompt of zero-width spaces passes a `strip()` (they are not whitespace) and would become a
storyboard titled with invisible characters; a NUL is cut off or refused by half the tools downstream.
Both are refused up front, naming the field.
"""

from __future__ import annotations

import unicodedata

# Categories that draw nothing: controls, format characters (zero-width space/joiners, bidi marks),
# separators, unassigned and private-use code points, and lone combining marks.
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zs", "Zl", "Zp", "Mn", "Me"})
# Letters and symbols that render blank (fillers, the braille blank).
_BLANK_CHARACTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800\u17b4\u17b5")
_ALLOWED_CONTROLS = frozenset("\t\n\r")


def visible(char: str) -> bool:
    return char not in _BLANK_CHARACTERS and unicodedata.category(char) not in _INVISIBLE_CATEGORIES


def text_problem(text: str, *, required: bool) -> str | None:
    """Why `text` cannot be used (None when it can); `required`: it must show something."""
    for char in text:
        if unicodedata.category(char) == "Cc" and char not in _ALLOWED_CONTROLS:
            name = "NUL" if char == "\0" else "a control character"
            return f"must not contain {name} (U+{ord(char):04X})"
    if required and text and not any(visible(char) for char in text):
        return "has no visible characters (only spaces, zero-width or other invisible characters)"
    return None
