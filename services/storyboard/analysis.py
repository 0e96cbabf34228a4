"""Prompt analysis for the planner: subjects (noun phrases), setting, time of day, weather, mood, genre.

Rule-based on purpose: offline, instant and deterministic. Noun phrases are the runs of content words
between stopwords and punctuation; a possessive ("a keeper's last night") ends its phrase.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum

from services.storyboard import lexicon
from services.storyboard.cast_traits import without_stated_ages

_TOKEN = re.compile(r"[^\W_]+(?:['’][^\W_]+)*|[.,;:!?()\[\]\"—–-]")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_ARTICLE_FREE_PROPER = frozenset("pacific atlantic arctic indian sahara amazon alps himalayas andes".split())
_PLACE_PREPOSITIONS = frozenset(
    "in at on across through over to from near around outside inside above beneath under into toward".split()
)


class SubjectKind(StrEnum):
    PERSON = "person"
    ANIMAL = "animal"
    OBJECT = "object"


@dataclass(frozen=True)
class Subject:
    phrase: str  # as written, without a leading article ("lighthouse keeper", "humpback whales")
    head: str  # singular lower-case head noun ("keeper", "whale")
    kind: SubjectKind

    @property
    def singular(self) -> str:
        if " of " in self.phrase:  # "a team of art thieves" stays a team
            return self.phrase
        words = self.phrase.split()
        return " ".join([*words[:-1], singular_form(words[-1])]) if words else self.phrase


@dataclass
class PromptAnalysis:
    text: str
    noun_phrases: list[str] = field(default_factory=list)
    subjects: list[Subject] = field(default_factory=list)
    setting_key: str = ""
    setting_phrase: str = ""
    time_key: str = ""
    season: str = ""
    weather: str = ""
    mood: str = "contemplative"
    mood_words: list[str] = field(default_factory=list)
    genre: str = "drama"
    action: str = ""
    keywords: list[str] = field(default_factory=list)

    @property
    def characters(self) -> list[Subject]:
        return [s for s in self.subjects if s.kind in (SubjectKind.PERSON, SubjectKind.ANIMAL)]

    @property
    def objects(self) -> list[Subject]:
        return [s for s in self.subjects if s.kind == SubjectKind.OBJECT]


def clean_text(text: str) -> str:
    """NFKC, no control characters, single spaces."""
    text = _CONTROL.sub(" ", unicodedata.normalize("NFKC", text))
    return re.sub(r"\s+", " ", text).strip()


def singular_form(word: str) -> str:
    lower = word.lower()
    if lower in lexicon.IRREGULAR_PLURALS:
        return _match_case(lexicon.IRREGULAR_PLURALS[lower], word)
    if len(lower) <= 3 or not lower.endswith("s") or lower.endswith(("ss", "us", "is")):
        return word
    if lower.endswith("ies") and len(lower) > 4:
        return word[:-3] + "y"
    if lower.endswith(("ches", "shes", "xes", "sses")):
        return word[:-2]
    return word[:-1]


def _match_case(word: str, like: str) -> str:
    return word.capitalize() if like[:1].isupper() else word


def _base(word: str) -> str:
    """Lower-case, possessive stripped, plural stemmed: the form the word lists use."""
    lower = _strip_possessive(word.lower())
    return singular_form(lower)


def _strip_possessive(word: str) -> str:
    return re.sub(r"['’]s?$", "", word)


def _is_possessive(word: str) -> bool:
    return bool(re.search(r"['’]s?$", word))


def _verb_base(word: str) -> str | None:
    lower = word.lower()
    if lower.endswith("ing") and len(lower) > 5 and lower not in lexicon.ING_NOUNS:
        stem = lower[:-3]
        for candidate in (stem, stem + "e", stem[:-1] if len(stem) > 2 and stem[-1] == stem[-2] else stem):
            if candidate in lexicon.VERB_WORDS:
                return candidate
        return stem
    return None


def _classify(head: str) -> SubjectKind:
    if head in lexicon.PERSON_WORDS or (head.endswith(lexicon.PERSON_SUFFIXES) and len(head) > 5):
        return SubjectKind.PERSON
    if head in lexicon.ANIMAL_WORDS:
        return SubjectKind.ANIMAL
    return SubjectKind.OBJECT


def _is_special(base: str) -> bool:
    """Words that describe when/where/how rather than who or what."""
    return (
        base in lexicon.TIME_WORDS or base in lexicon.SEASON_WORDS or base in lexicon.WEATHER
        or base in lexicon.ACTION_NOUNS
    )


def with_article(phrase: str) -> str:
    """'lighthouse' -> 'the lighthouse'; 'Tokyo' stays; 'Pacific' -> 'the Pacific'."""
    if not phrase:
        return phrase
    first = phrase.split()[0]
    if first.lower() in ("the", "a", "an", "my", "our", "his", "her", "their"):
        return phrase
    last = phrase.split()[-1]
    if first[:1].isupper() and first.lower() not in _ARTICLE_FREE_PROPER and not last[:1].islower():
        return phrase
    if not first[:1].isalpha() or not first.isascii():
        return phrase
    return f"the {phrase}"


@dataclass
class _Chunk:
    words: list[str]
    after: str = ""  # the word before the chunk ("in" for "in Bangkok")
    possessive: bool = False  # ended with "'s" ("a fisherman's daughter")
    of_name: str = ""  # "of Tokyo" after the chunk
    used: bool = False

    @property
    def bases(self) -> list[str]:
        return [_base(w) for w in self.words]

    @property
    def proper(self) -> bool:
        return all(w[:1].isupper() for w in self.words)


def analyse(prompt: str) -> PromptAnalysis:
    text = clean_text(prompt)
    tokens = _TOKEN.findall(text)
    analysis = PromptAnalysis(text=text)
    bases = [_base(t) for t in tokens if t[0].isalnum()]
    analysis.keywords = list(dict.fromkeys(b for b in bases if b not in lexicon.STOPWORDS and len(b) > 2))

    chunks = _chunks(_TOKEN.findall(without_stated_ages(text)))
    analysis.noun_phrases = [" ".join(c.words) for c in chunks]
    _find_setting(analysis, chunks)
    _find_subjects(analysis, chunks)
    if not analysis.setting_key:
        # No place named: what the people do ("a fisherman", "sails into the fog") says where they are.
        roles = [lexicon.ROLE_SETTINGS[s.head] for s in analysis.characters if s.head in lexicon.ROLE_SETTINGS]
        hinted = [key for b in bases if (key := _setting_of(b))]
        if roles or hinted:
            analysis.setting_key = (roles or hinted)[0]
    _find_time_weather(analysis, bases)
    _find_mood(analysis, bases)
    _find_genre(analysis, bases)
    analysis.action = _find_action(tokens)
    return analysis


def is_verb_at(tokens: list[str], i: int) -> bool:
    """Whether English `tokens[i]` is a verb: an "-ing" form or a finite verb between subject and object.
    Hyphenated words ("noise-cancelling") describe a noun and are not verbs."""
    token = tokens[i]
    if "-" in token or not token[:1].isalpha():
        return False
    return bool(_verb_base(token)) or _finite_verb(tokens, i)


def _finite_verb(tokens: list[str], i: int) -> bool:
    """'discovers' in 'a rover discovers a patch', 'hold' in 'firefighters hold the line'.

    Needs a subject word right before it and an object, adverb or preposition after it; a word at the
    end of a phrase ("city lights") or followed by another verb ("city lights shine") is a noun.
    """
    token = tokens[i]
    lower = token.lower()
    if not token.isalpha() or not token.islower() or i == 0 or i + 1 >= len(tokens):
        return False
    prev, nxt = tokens[i - 1], tokens[i + 1]
    next_lower = nxt.lower()
    if lower in lexicon.PARTICIPLES and next_lower in (*lexicon.VERB_FOLLOWERS, "as", "by"):
        return True
    conjunction = prev.lower() in ("and", "then", "but", "or")  # "comes to life and flies across"
    if not prev[0].isalnum() or (prev.lower() in lexicon.STOPWORDS and not conjunction) or not nxt[0].isalnum():
        return False
    if _verb_base(nxt) or (next_lower in lexicon.VERB_WORDS and next_lower not in lexicon.STOPWORDS):
        return False
    inflected = True
    if lower in lexicon.IRREGULAR_PAST:
        stems = [lower]
    elif lower.endswith("ies"):
        stems = [lower[:-3] + "y"]
    elif lower.endswith("es"):
        stems = [lower[:-2], lower[:-1]]
    elif lower.endswith("ed"):
        stems = [lower[:-2], lower[:-1], lower[:-3] if lower[-3:-2] == lower[-4:-3] else lower[:-2]]
    elif lower.endswith("s") and not lower.endswith("ss"):
        stems = [lower[:-1]]
    else:
        stems, inflected = [lower], False
    if lower not in lexicon.IRREGULAR_PAST and not any(stem in lexicon.VERB_WORDS for stem in stems):
        return False
    if next_lower in lexicon.VERB_FOLLOWERS:
        return inflected or (prev.lower().endswith("s") and not conjunction)
    return inflected and not conjunction and next_lower not in lexicon.STOPWORDS


def _chunks(tokens: list[str]) -> list[_Chunk]:
    """Runs of content words split at stopwords, punctuation, verbs and possessives.

    "a team of art thieves" and "a patch of frost" stay one phrase (a partitive before "of")."""
    chunks: list[_Chunk] = []
    current: list[str] = []
    state = {"after": "", "join": None}

    def close() -> None:
        if not current:
            return
        join = state["join"]
        if isinstance(join, _Chunk):
            join.words += ["of", *current]
            state["join"] = None
        else:
            chunks.append(_Chunk(current.copy(), after=str(state["after"])))
        current.clear()

    previous = ""
    for i, token in enumerate(tokens):
        after_to = previous == "to"
        lower = token.lower()
        if not token[0].isalnum():
            close()
            state["join"] = None
            previous = lower
            continue
        base = _base(token)
        if lower in lexicon.STOPWORDS or base in lexicon.STOPWORDS or _verb_base(token) \
                or (after_to and token.islower() and base in lexicon.VERB_WORDS) or _finite_verb(tokens, i):
            close()
            if lower == "of" and chunks and i + 1 < len(tokens):
                last = chunks[-1]
                if previous == last.words[-1].lower() and _base(last.words[-1]) in lexicon.PARTITIVES:
                    state["join"] = last
                elif tokens[i + 1][:1].isupper():
                    last.of_name = tokens[i + 1]
            state["after"] = lower
            previous = lower
            continue
        previous = lower
        if _is_possessive(token):  # "keeper's" ends "lighthouse keeper"
            current.append(_strip_possessive(token))
            close()
            if chunks:
                chunks[-1].possessive = True
            continue
        current.append(token)
    close()
    return chunks


def _setting_of(base: str) -> str | None:
    for key, setting in lexicon.SETTINGS.items():
        if base in setting.triggers:
            return key
    return None


def _find_setting(analysis: PromptAnalysis, chunks: list[_Chunk]) -> None:
    """The place: the category most named (the chunk's head decides), in the prompt's own words."""
    scores: Counter[str] = Counter()
    first: dict[str, tuple[int, _Chunk, int]] = {}
    for position, chunk in enumerate(chunks):
        hits = [(i, key) for i, b in enumerate(chunk.bases) if (key := _setting_of(b))]
        if not hits:
            continue
        last_index, key = hits[-1]
        scores[key] += len(hits) + (1 if last_index == len(chunk.words) - 1 else 0)
        first.setdefault(key, (position, chunk, last_index))
    places = [c for i, c in enumerate(chunks) if c.proper and c.after in _PLACE_PREPOSITIONS and not c.used]
    if not scores:
        if places:  # "in Bangkok": a named place is a city unless a word said otherwise
            places[0].used = True
            analysis.setting_key = "city"
            analysis.setting_phrase = with_article(" ".join(places[0].words))
        return
    best = max(scores, key=lambda k: (scores[k], -first[k][0]))
    _, chunk, last_index = first[best]
    head_kind = _classify(chunk.bases[-1])
    words = chunk.words if head_kind == SubjectKind.OBJECT else chunk.words[: last_index + 1]
    while len(words) > last_index + 1 and _is_special(_base(words[-1])):
        words = words[:-1]  # "museum heist": the place is the museum
    if head_kind == SubjectKind.OBJECT:
        chunk.used = True
    phrase = " ".join(words)
    if chunk.of_name:
        phrase += f" of {chunk.of_name}"
        for other in chunks:
            if other.words == [chunk.of_name]:
                other.used = True
    named = [c for c in places if c is not chunk and not c.used and c.words != [chunk.of_name]]
    if named and not any(w[:1].isupper() for w in words):
        named[0].used = True
        phrase += f" in {' '.join(named[0].words)}"
    analysis.setting_key = best
    analysis.setting_phrase = with_article(phrase)


def _find_subjects(analysis: PromptAnalysis, chunks: list[_Chunk]) -> None:
    seen: set[str] = set()
    chunks = list(chunks)
    for i in range(len(chunks) - 1):
        # "a fisherman's daughter": the daughter leads; "a keeper's last night": the keeper does.
        if chunks[i].possessive and _classify(chunks[i + 1].bases[-1]) != SubjectKind.OBJECT:
            chunks[i], chunks[i + 1] = chunks[i + 1], chunks[i]
    for chunk in chunks:
        if chunk.used:
            continue
        # "last night" is a time and "motorcycle chase" names a motorcycle; "autumn leaves" stays whole.
        words = list(chunk.words)
        while words and _is_special(_base(words[-1])) and "of" not in words:
            words.pop()
        while words and _base(words[0]) in lexicon.GENERIC_ADJECTIVES and len(words) > 1 \
                and _classify(_base(words[-1])) != SubjectKind.OBJECT:
            words = words[1:]
        if not words:
            continue
        head = _base(words[-1])
        if head in seen or head in lexicon.GENERIC_ADJECTIVES or (len(head) < 2 and head.isascii()):
            continue
        seen.add(head)
        analysis.subjects.append(Subject(" ".join(words), head, _classify(head)))


def _find_time_weather(analysis: PromptAnalysis, bases: list[str]) -> None:
    for base in bases:
        if not analysis.time_key and base in lexicon.TIME_WORDS:
            analysis.time_key = lexicon.TIME_WORDS[base]
        if not analysis.season and base in lexicon.SEASON_WORDS:
            analysis.season = lexicon.SEASON_WORDS[base]
        if not analysis.weather and base in lexicon.WEATHER:
            analysis.weather = base


def _find_mood(analysis: PromptAnalysis, bases: list[str]) -> None:
    scores: Counter[str] = Counter()
    for base in bases:
        for name, mood in lexicon.MOODS.items():
            if base in mood.triggers:
                scores[name] += 1
                analysis.mood_words.append(base)
    if analysis.weather:
        scores[lexicon.WEATHER[analysis.weather].mood] += 1
    if scores:
        order = list(lexicon.MOODS)
        analysis.mood = max(scores, key=lambda k: (scores[k], -order.index(k)))
    analysis.mood_words = list(dict.fromkeys(analysis.mood_words))


def _find_genre(analysis: PromptAnalysis, bases: list[str]) -> None:
    scores: Counter[str] = Counter()
    for base in bases:
        for name, genre in lexicon.GENRES.items():
            if base in genre.triggers:
                scores[name] += 1
    if scores:
        order = list(lexicon.GENRES)
        analysis.genre = max(scores, key=lambda k: (scores[k], -order.index(k)))
    if not analysis.mood_words and not analysis.weather:
        analysis.mood = lexicon.GENRES[analysis.genre].mood


def _find_action(tokens: list[str]) -> str:
    """The first '-ing' verb and what follows it, cut at a phrase boundary: 'migrating across the Pacific'."""
    for i, token in enumerate(tokens):
        if token[0].isalnum() and _verb_base(token):
            end = i + 1
            while end < len(tokens) and end <= i + 6 and tokens[end][0].isalnum() \
                    and tokens[end].lower() not in ("and", "but", "while", "when", "as"):
                end += 1
            words = tokens[i:end]
            if end < len(tokens) and tokens[end][0].isalnum() and tokens[end].lower() not in lexicon.STOPWORDS:
                while len(words) > 1 and words[-1].lower() not in lexicon.STOPWORDS:
                    words.pop()  # do not cut a noun phrase in half
            while len(words) > 1 and words[-1].lower() in lexicon.STOPWORDS:
                words.pop()
            return " ".join([words[0].lower(), *words[1:]])
    return ""
