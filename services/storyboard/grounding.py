"""What one scene shows and says, in the prompt's own words and language.

Every scene is grounded in the premise (`premise.read_premise`): its visual subject is the clause of
the prompt that this scene tells (subject, action, place), with one more of the prompt's noun phrases
in focus; its narration is a frame of the phrasebook for the prompt's form and the scene's beat,
filled with the prompt's words (how-to: the step; history: the era; product: the product and a
feature; poem: a verse of the prompt's phrases), then more of the premise to fill longer scenes.
The planner decides how the scene is shot; this module decides only what it is about.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass

from services.storyboard import text
from services.storyboard.phrasebook import Phrasebook, frames_for, phrasebook
from services.storyboard.premise import Form, Premise, bare, inline

_MAX_SUBJECT_WORDS = 28
_MAX_TITLE_WORDS = 6


@dataclass(frozen=True)
class GroundedScene:
    title: str
    subject: str  # the visual prompt's first part: the prompt's own subject, action, place, prop
    narration: list[str]  # sentences, the premise first; the planner fits them to the scene's length
    focus: str  # the noun phrase this scene looks at besides the lead ("" when none)


def ground_scene(premise: Premise, beat: int, index: int, count: int, occurrence: int) -> GroundedScene:
    """Scene `index` of `count` (at arc `beat`, its `occurrence`-th scene of that beat)."""
    if not 0 <= beat < 5:
        raise ValueError(f"beat must be 0..4, not {beat}")
    if not 0 <= index < count:
        raise ValueError(f"index must be in 0..{count - 1}, not {index}")
    book = phrasebook(premise.language)
    slots = scene_slots(premise, book, beat, index, count)
    candidates = _rotate(frames_for(book, premise.form, beat), occurrence)
    filled = [text.fill(f, slots) for f in candidates if _fillable(f, slots)]
    beat_lines = [line for line in _rotate(book.beat_lines[beat], occurrence + index)]
    premise_lines = [text.fill("{core}.", slots), *(text.fill("{c}.", {"c": inline(c)}) for c in premise.clauses)]
    narration = list(dict.fromkeys(line for line in (*filled[:1], *beat_lines[:1], *filled[1:], *premise_lines,
                                                     *beat_lines[1:]) if line.strip(" .")))
    subject = _subject(premise, slots, beat)
    title = _title(premise, slots, index)
    return GroundedScene(title, subject, narration, slots["thing"])


def scene_slots(premise: Premise, book: Phrasebook, beat: int, index: int, count: int) -> dict[str, str]:
    """The premise's words for scene `index`: its clause, its focus phrase, its era, its step."""
    clauses = premise.clauses
    clause = clauses[min(len(clauses) - 1, index * len(clauses) // count)]
    things = [t.text for t in premise.things if t.text.casefold() not in clause.casefold()] or \
        [t.text for t in premise.things]
    thing = things[index % len(things)] if things else ""
    features = premise.features
    start, end = premise.span or ("", "")
    return {
        "core": inline(premise.core),
        "clause": inline(clause),
        "lead": inline(premise.lead.text),
        "thing": inline(thing),
        "setting": premise.setting,
        "era": _era(premise, book, beat, index, count),
        "n": book.numbers[index] if index < len(book.numbers) else str(index + 1),
        "product": inline(premise.product),
        "feature": inline(features[index % len(features)]) if features else "",
        "start": inline(start) if index == 0 else "",
        "end": inline(end) if index == count - 1 else "",
    }


def _era(premise: Premise, book: Phrasebook, beat: int, index: int, count: int) -> str:
    """The prompt's eras spread over the scenes in order (first to the first scene, last to the last);
    a scene between them says where it stands ("Later")."""
    eras = premise.eras
    if eras:
        if len(eras) == 1:
            placed = {0: eras[0]}
        else:
            placed = {round(k * (count - 1) / (len(eras) - 1)): era for k, era in enumerate(eras)}
        if index in placed:
            return placed[index]
    if premise.span and index in (0, count - 1):
        return premise.span[0] if index == 0 else premise.span[1]
    return book.era_fallback[beat]


def _subject(premise: Premise, slots: dict[str, str], beat: int) -> str:
    """Subject first: the scene's clause (who, doing what, where), then the phrase in focus."""
    if premise.form == Form.PRODUCT:
        parts = [slots["product"], slots["feature"] if beat else "", premise.setting]
    else:
        era = slots["era"] if premise.form == Form.HISTORY and slots["era"] in premise.eras else ""
        parts = [era, slots["clause"], slots["thing"] if beat in (1, 2, 3) else "", premise.setting]
    kept: list[str] = []
    for part in parts:
        if part and not any(part.casefold() in k.casefold() for k in kept):
            kept.append(part)
    words = ", ".join(kept).split()
    return " ".join(words[:_MAX_SUBJECT_WORDS]).rstrip(",;:")


def _title(premise: Premise, slots: dict[str, str], index: int) -> str:
    if premise.form == Form.HISTORY and slots["era"] in premise.eras:
        return slots["era"]
    options = [premise.product or premise.lead.text, *(t.text for t in premise.things)]
    if premise.form == Form.PRODUCT:
        options = [premise.product, *premise.features, *(t.text for t in premise.things)]
    choice = options[index % len(options)] if options[0] else premise.core
    words = bare(choice, premise.language).split()[:_MAX_TITLE_WORDS]
    title = " ".join(words).strip(string.punctuation + " ")
    title = title or text.clip(premise.text, 60)  # a prompt of punctuation only still titles its scenes
    if premise.language == "en":
        return text.title_case(title)
    return title[:1].upper() + title[1:]


def _fillable(frame: str, slots: dict[str, str]) -> bool:
    return all(slots.get(name) for name in re.findall(r"{(\w+)}", frame))


def _rotate(items: tuple[str, ...] | list[str], by: int) -> list[str]:
    items = list(items)
    shift = by % len(items) if items else 0
    return items[shift:] + items[:shift]
