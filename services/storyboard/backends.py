"""One interface for every storyboard writer: the planner and the language-model backends.

A language-model backend only has to turn a prompt into text (`complete`); parsing, repair and the
fallback to the planner are shared here so that every model is held to the same rules.
"""

from __future__ import annotations

import abc
import copy
import logging
from dataclasses import dataclass, field

from services.storyboard import parsing
from services.storyboard.domain import Backend, Brief, ParseOutcome, Storyboard
from services.storyboard.planner import Plan
from services.storyboard.prompts import LlmPrompt, build_prompt
from services.storyboard.repair import reconcile

log = logging.getLogger(__name__)


class BackendError(Exception):
    """A model could not be reached, loaded or run. The message is safe to show to a client."""


@dataclass
class Draft:
    """A backend's storyboard before finishing, and how it came about."""

    storyboard: Storyboard
    model: str
    outcome: ParseOutcome
    planner_written: set[int]
    notes: list[str] = field(default_factory=list)
    failure: str = ""  # set when the model itself failed (not its output)
    raw_output: str = ""


class StoryboardBackend(abc.ABC):
    kind: Backend

    @abc.abstractmethod
    def write(self, brief: Brief, plan: Plan, *, time_budget_s: float | None = None) -> Draft:
        """A draft storyboard for `brief`. `plan` is the planner's storyboard for the same brief."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release clients and models."""


class PlannerBackend(StoryboardBackend):
    kind = Backend.PLANNER

    def write(self, brief: Brief, plan: Plan, *, time_budget_s: float | None = None) -> Draft:
        every_scene = set(range(len(plan.storyboard.scenes)))
        return Draft(copy.deepcopy(plan.storyboard), "planner", ParseOutcome.OK, every_scene)


class LanguageModelBackend(StoryboardBackend):
    """Prompt -> text -> JSON / "Scene N:" parse -> repair from the plan, or the plan itself."""

    def __init__(self, default_model: str, min_parsed_fraction: float) -> None:
        self.default_model = default_model
        self.min_parsed_fraction = min_parsed_fraction

    @abc.abstractmethod
    def complete(self, prompt: LlmPrompt, *, model: str, seed: int, timeout_s: float | None) -> str:
        """The model's raw answer. Raises BackendError when the model cannot answer."""

    def write(self, brief: Brief, plan: Plan, *, time_budget_s: float | None = None) -> Draft:
        model = brief.model or self.default_model
        prompt = build_prompt(brief, plan)
        try:
            output = self.complete(prompt, model=model, seed=brief.seed, timeout_s=time_budget_s)
        except BackendError as error:
            log.warning("storyboard backend failed", extra={"backend": self.kind.value, "error": str(error)})
            return Draft(
                copy.deepcopy(plan.storyboard), model, ParseOutcome.FALLBACK, set(range(len(plan.storyboard.scenes))),
                notes=[str(error)], failure=str(error),
            )
        parsed = parsing.parse(output)
        result = reconcile(parsed, plan, brief, self.min_parsed_fraction)
        return Draft(result.storyboard, model, result.outcome, result.planner_written, result.notes, raw_output=output)
