"""A small language model writes *what happens*, one short line per scene; the planner shoots it.

Small instruct models (SmolLM2-135M) stay on the prompt's subject but rarely keep a rich format, so
they are asked for the simplest one: a numbered list of one-sentence scenes, with the number of each
line written by us (the model only continues "3."), so the format cannot drift. Lines are read
leniently (labels, quotes, markdown and run-on sentences are cut away) and every line becomes the
description, visual prompt and narration of the planner's scene at that position; the planner keeps
shot size, camera, lighting, timing, cast bible and negative prompt. A line that is unusable leaves
the planner's scene in place (a repair); too few usable lines leave the planner's storyboard.
"""

from __future__ import annotations

import copy
import math
import re
from dataclasses import dataclass, field

from services.storyboard.domain import Brief, ParseOutcome, Storyboard
from services.storyboard.language import NAMES, detect_language
from services.storyboard.parsing import ParsedScene
from services.storyboard.planner import Plan
from services.storyboard.repair import merge_scene

SYSTEM = (
    "You write storyboards for short films. Each scene is one sentence that says what we see happen, "
    "naming the people, animals, objects and place of the idea."
)
EXAMPLE_IDEA = "a fisherman repairs his boat before a storm"
EXAMPLE_LINES = (
    "At dawn an old fisherman drags his wooden boat up the pebble beach.",
    "He hammers new planks into the hull while gulls circle overhead.",
    "Dark clouds roll in as he paints the last seam with tar.",
    "Rain lashes the harbour; the boat rides out the waves at its mooring.",
    "In the calm morning he rows out past the lighthouse, smiling.",
)
MIN_WORDS = 4
_LABEL = re.compile(
    r"^\s*(?:[#*>\-\s]*)(?:(?:scene|szene|escena|scène|shot)\s*\d*\s*[:.)\-]\s*|\d{1,2}\s*[.):\-]\s*)", re.IGNORECASE
)
_ONLY_LABEL = re.compile(r"^(?:the\s+)?\w+\s+(?:scene|shot)\s*:?$", re.IGNORECASE)  # "The first scene:"


@dataclass
class LinesDraft:
    storyboard: Storyboard
    outcome: ParseOutcome
    planner_written: set[int]
    notes: list[str] = field(default_factory=list)


def language_of(brief: Brief, plan: Plan) -> str:
    return detect_language(brief.prompt or plan.analysis.text)


def messages(brief: Brief, plan: Plan) -> list[dict[str, str]]:
    """The chat: one worked example, then the idea. The answer is written line by line (see `prefix`)."""
    count = len(plan.storyboard.scenes)
    idea = brief.prompt or plan.analysis.text
    language = NAMES.get(language_of(brief, plan), "English")
    example = "\n".join(f"{i}. {line}" for i, line in enumerate(EXAMPLE_LINES, start=1))
    extra = f" Write in {language}." if language != "English" else ""
    if brief.style:
        extra += f" Visual style: {brief.style}."
    user = (
        f"Idea: {EXAMPLE_IDEA}\n{example}\n\nIdea: {idea}\n"
        f"Write {count} scenes in the same way, one sentence each, numbered 1 to {count}, "
        f"from beginning to end.{extra}"
    )
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": user}]


def prefix(lines: list[str], number: int) -> str:
    """The assistant's answer so far: the lines already written, then the next number."""
    return "".join(f"{i}. {line}\n" for i, line in enumerate(lines, start=1)) + f"{number}."


def split_numbered(text: str, count: int) -> list[str]:
    """The text after each of the numbers 1..count at a line start, in order (a missing one: "")."""
    found: dict[int, str] = {}
    for match in re.finditer(r"^\s*(\d{1,2})\.(.*)$", text, re.MULTILINE):
        number = int(match.group(1))
        if 1 <= number <= count and number not in found:
            found[number] = match.group(2)
    last = max(found, default=0)
    return [found.get(number, "") for number in range(1, last + 1)]


def clean_line(raw: str) -> str:
    """The scene sentence in a model's raw line, or "" when there is none worth keeping."""
    line = raw.strip().split("\n", 1)[0]
    line = _LABEL.sub("", line).strip().strip("*_\"'“”«» ")
    if not line or _ONLY_LABEL.match(line):
        return ""
    # Keep whole sentences up to ~40 words: a run-on line becomes a shot, not a paragraph.
    sentences = re.split(r"(?<=[.!?])\s+", line)
    kept = sentences[0]
    for sentence in sentences[1:]:
        if len((kept + " " + sentence).split()) > 40:
            break
        kept += " " + sentence
    words = kept.split()
    if len(words) > 40:
        kept = " ".join(words[:40]).rstrip(",;:") + "."
    if len(kept.split()) < MIN_WORDS:
        return ""
    return kept[0].upper() + kept[1:]


def expand(lines: list[str], plan: Plan, min_parsed_fraction: float) -> LinesDraft:
    """The planner's storyboard with each usable line as its scene's action."""
    storyboard = copy.deepcopy(plan.storyboard)
    count = len(storyboard.scenes)
    seen: set[str] = set()
    usable: dict[int, str] = {}
    for index, line in enumerate(lines[:count]):
        key = line.casefold()
        if line and key not in seen:
            usable[index] = line
            seen.add(key)
    needed = max(1, math.ceil(min_parsed_fraction * count))
    if len(usable) < needed:
        return LinesDraft(storyboard, ParseOutcome.FALLBACK, set(range(count)),
                          [f"{len(usable)} of {count} scene lines were usable, {needed} needed"])
    for index, line in usable.items():
        merge_scene(storyboard.scenes[index], ParsedScene(number=index + 1, description=line, narration=line))
    planner_written = set(range(count)) - set(usable)
    notes = [f"{len(planner_written)} scenes written by the planner (no usable line)"] if planner_written else []
    return LinesDraft(storyboard, ParseOutcome.REPAIRED if notes else ParseOutcome.OK, planner_written, notes)
