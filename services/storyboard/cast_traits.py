"""What a prompt says about its main character's gender and age, so the cast follows the prompt.

"A ferry captain on her last crossing" is a woman; "a retired keeper" and "in his eighties" are
old; "an eight-year-old girl" is a child. Evidence, strongest first: the character's own words
(a gendered role noun, "old", a stated age), then the prompt's words about a person (a stated
age or decade, "retired", "young"), then its third-person pronouns. Nothing said: unknown, and
the planner keeps its neutral choice ("in their forties"). English prompt words only: the
analysis that finds the subjects is English too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

FEMININE_WORDS = frozenset(
    "woman women girl girls mother mothers grandmother grandma granny mum mom daughter sister wife aunt niece "
    "queen princess empress duchess lady ladies bride widow nun heroine actress waitress hostess goddess "
    "witch sorceress priestess ballerina matriarch she her hers herself".split()
)
MASCULINE_WORDS = frozenset(
    "man men boy boys father fathers grandfather grandpa dad son brother husband uncle nephew king prince "
    "emperor duke gentleman groom widower monk god wizard sorcerer priest patriarch "
    "he him his himself".split()
)
PRONOUNS = {"she": "female", "her": "female", "hers": "female", "herself": "female",
            "he": "male", "him": "male", "his": "male", "himself": "male"}
DECADES = {"twenties": 20, "thirties": 30, "forties": 40, "fifties": 50, "sixties": 60, "seventies": 70,
           "eighties": 80, "nineties": 90}
NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
    "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90,
}
OLD_WORDS = frozenset("old elderly retired aged ageing aging grey-haired white-haired ancient veteran".split())
YOUNG_WORDS = frozenset("young youthful".split())
TEEN_WORDS = frozenset("teenage teenaged teen teenager adolescent".split())
CHILD_WORDS = frozenset("little child kid toddler".split())
# Words that say a person's age wherever they stand in the prompt ("old" or "little" may describe a
# house or a boat, so only the character's own phrase counts them).
PERSON_AGE_WORDS = frozenset("retired elderly teenage teenaged teenager adolescent".split())

_WORD = re.compile(r"[a-z]+(?:-[a-z]+)*")
_YEARS_OLD = re.compile(r"\b(\d{1,3}|[a-z]+(?:-[a-z]+)?)[- ]years?[- ]old\b", re.IGNORECASE)
_DECADE = re.compile(r"\bin (?:his|her|their) (?:(early|mid|late)[- ])?(" + "|".join(DECADES) + r")\b", re.IGNORECASE)


@dataclass(frozen=True)
class CastTraits:
    gender: str = ""  # "female", "male" or "" (not said)
    age: int | None = None  # years, when the prompt says or implies it


def _years(token: str) -> int | None:
    if token.isdigit():
        return int(token)
    parts = token.split("-")
    if all(p in NUMBER_WORDS for p in parts):
        return sum(NUMBER_WORDS[p] for p in parts)
    return None


def _stated_age(text: str) -> int | None:
    match = _YEARS_OLD.search(text)
    if match and (years := _years(match.group(1))) is not None and 0 < years < 120:
        return years
    match = _DECADE.search(text)
    if match:
        offset = {"early": 2, "mid": 5, "late": 8}.get(match.group(1) or "", 5)
        return DECADES[match.group(2)] + offset
    return None


def _age_from_words(words: list[str]) -> int | None:
    if any(w in CHILD_WORDS for w in words):
        return 8
    if any(w in TEEN_WORDS for w in words):
        return 16
    if any(w in OLD_WORDS for w in words):
        return 75
    if any(w in YOUNG_WORDS for w in words):
        return 25
    return None


def _gender_of_words(words: list[str]) -> str:
    feminine = sum(w in FEMININE_WORDS for w in words)
    masculine = sum(w in MASCULINE_WORDS for w in words)
    if feminine > masculine:
        return "female"
    if masculine > feminine:
        return "male"
    return ""


def without_stated_ages(text: str) -> str:
    """`text` without "eight-year-old" / "in his eighties": they describe a person, they name no thing."""
    return _DECADE.sub(" ", _YEARS_OLD.sub(" ", text))


def cast_traits(prompt: str, subject_phrase: str) -> CastTraits:
    """The gender and age the prompt gives its main character (`subject_phrase`, as analysed)."""
    text = prompt.casefold()
    own = _WORD.findall(subject_phrase.casefold())
    gender = _gender_of_words(own)
    if not gender:
        pronouns = [PRONOUNS[w] for w in _WORD.findall(text) if w in PRONOUNS]
        if pronouns and all(p == pronouns[0] for p in pronouns):
            gender = pronouns[0]  # only one gender referred to: it is the character's
    age = _stated_age(text)
    if age is None:
        age = _age_from_words(own) or _age_from_words([w for w in _WORD.findall(text) if w in PERSON_AGE_WORDS])
    return CastTraits(gender, age)


def gendered(words: str) -> bool:
    """Whether a role already says its gender ("grandmother", "fisherman")."""
    tokens = _WORD.findall(words.casefold())
    return any(w in FEMININE_WORDS or w in MASCULINE_WORDS or w.endswith(("woman", "man")) for w in tokens)


def person_word(gender: str, age: int | None) -> str:
    """The word that makes a neutral role say its gender: "woman", "girl", "man", "boy" ("" if unknown)."""
    if not gender:
        return ""
    young = age is not None and age < 18
    return {"female": "girl" if young else "woman", "male": "boy" if young else "man"}[gender]


def possessive(gender: str) -> str:
    return {"female": "her", "male": "his"}.get(gender, "their")


def age_phrase(age: int, gender: str) -> str:
    """ "about 8 years old", "about 16 years old", "in her seventies"."""
    if age < 20:
        return f"about {age} years old"
    decade = min(90, age // 10 * 10)
    name = next(word for word, value in DECADES.items() if value == decade)
    return f"in {possessive(gender)} {name}"
