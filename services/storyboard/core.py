"""The storyboard core: request in, finished storyboard out. Knows nothing of gRPC.

    writer = StoryboardWriter(settings)
    storyboard = writer.create(StoryboardRequest(prompt="...", scene_count=7, duration_s=90))

Every generation runs the planner first: it is the default writer, the template the language models'
output is repaired from, and the fallback when that output cannot be used.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping

from services.common.metrics import FALLBACKS
from services.storyboard.backends import Draft, PlannerBackend, StoryboardBackend
from services.storyboard.domain import STAGE, Backend, Notice, ParseOutcome, Provenance, Storyboard, StoryboardRequest
from services.storyboard.finishing import finish
from services.storyboard.metrics import GENERATION_SECONDS, PARSE_TOTAL, STORYBOARDS_TOTAL
from services.storyboard.planner import Planner, PlannerConfig
from services.storyboard.settings import StoryboardSettings
from services.storyboard.validation import Limits, normalise_storyboard, validate_request

log = logging.getLogger(__name__)


def limits_from(settings: StoryboardSettings) -> Limits:
    return Limits(
        max_prompt_chars=settings.max_prompt_chars,
        default_scene_count=settings.default_scene_count,
        max_scene_count=settings.max_scene_count,
        default_duration_s=settings.default_duration_s,
        min_duration_s=settings.min_duration_s,
        max_duration_s=settings.max_duration_s,
        words_per_second=settings.words_per_second,
    )


def build_backend(kind: Backend, settings: StoryboardSettings) -> StoryboardBackend:
    """A backend configured from settings; heavy imports stay inside the branch that needs them."""
    if kind == Backend.PLANNER:
        return PlannerBackend()
    if kind == Backend.TRANSFORMERS:
        from services.storyboard.transformers_backend import GenerationSettings, TransformersBackend

        return TransformersBackend(
            settings.transformers_model,
            device=settings.transformers_device,
            dtype=settings.transformers_dtype,
            cache_size=settings.transformers_cache_size,
            generation=GenerationSettings(
                max_new_tokens=settings.transformers_max_new_tokens,
                temperature=settings.transformers_temperature,
                top_p=settings.transformers_top_p,
                line_tokens=settings.transformers_line_tokens,
                repetition_penalty=settings.transformers_repetition_penalty,
            ),
            min_parsed_fraction=settings.min_parsed_scene_fraction,
            output_format=settings.transformers_format,
        )
    from services.storyboard.openai_backend import OpenAIBackend

    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
    return OpenAIBackend(
        base_url=settings.openai_base_url,
        api_key=key,
        default_model=settings.openai_model,
        timeout_s=settings.openai_timeout_s,
        max_retries=settings.openai_max_retries,
        backoff_s=settings.openai_backoff_s,
        json_mode=settings.openai_json_mode,
        max_tokens=settings.openai_max_tokens,
        min_parsed_fraction=settings.min_parsed_scene_fraction,
    )


class StoryboardWriter:
    def __init__(
        self, settings: StoryboardSettings, backends: Mapping[Backend, StoryboardBackend] | None = None
    ) -> None:
        self.settings = settings
        self.limits = limits_from(settings)
        self.planner = Planner(PlannerConfig(
            words_per_second=settings.words_per_second,
            max_narration_words=settings.max_narration_words,
            max_scene_count=settings.max_scene_count,
        ))
        self.default_backend = Backend(settings.default_backend)
        self._backends: dict[Backend, StoryboardBackend] = dict(backends or {})
        self._lock = threading.Lock()

    def backend(self, kind: Backend) -> StoryboardBackend:
        with self._lock:
            if kind not in self._backends:
                self._backends[kind] = build_backend(kind, self.settings)
            return self._backends[kind]

    def warm(self) -> None:
        """Load the default language model now when configured to (the service is not ready before)."""
        preload = self.settings.transformers_preload or self.default_backend == Backend.TRANSFORMERS
        if preload:
            backend = self.backend(Backend.TRANSFORMERS)
            backend.load()  # type: ignore[attr-defined]

    def warm_backend(self, kind: Backend) -> None:
        """Load `kind`'s model now (a no-op for backends without one): later requests pay only generation."""
        load = getattr(self.backend(kind), "load", None)
        if load is not None:
            load()

    def close(self) -> None:
        with self._lock:
            for backend in self._backends.values():
                backend.close()

    def create(self, request: StoryboardRequest, *, time_budget_s: float | None = None) -> Storyboard:
        """A finished storyboard, or InvalidArgument naming every bad field."""
        if request.storyboard is not None:
            storyboard = normalise_storyboard(request, self.limits)
            STORYBOARDS_TOTAL.labels("client").inc()
            return storyboard
        brief, notices = validate_request(
            request, self.limits, self.default_backend, allow_model_override=self.settings.allow_model_override
        )
        started = time.perf_counter()
        plan = self.planner.plan(brief)
        draft = self.backend(brief.backend).write(brief, plan, time_budget_s=time_budget_s)
        storyboard = draft.storyboard
        finish(storyboard, plan, self.planner.config, planner_written=draft.planner_written)
        warnings = [*notices, *storyboard.provenance.warnings, *self._outcome_notices(brief.backend, draft)]
        storyboard.provenance = Provenance(brief.backend, draft.model, draft.outcome, warnings)
        GENERATION_SECONDS.labels(brief.backend.value).observe(time.perf_counter() - started)
        STORYBOARDS_TOTAL.labels(brief.backend.value).inc()
        return storyboard

    def _outcome_notices(self, backend: Backend, draft: Draft) -> list[Notice]:
        if backend == Backend.PLANNER:
            return []
        name = backend.value
        if draft.failure:
            FALLBACKS.labels(STAGE, "storyboard_backend_failed").inc()
            log.warning("storyboard backend failed; planner fallback", extra={"backend": name})
            return [Notice("storyboard_backend_failed",
                           f"the {name} backend failed ({draft.failure}); the planner wrote the storyboard")]
        PARSE_TOTAL.labels(name, draft.outcome.value).inc()
        detail = "; ".join(draft.notes)
        if draft.outcome == ParseOutcome.FALLBACK:
            FALLBACKS.labels(STAGE, "storyboard_parse_fallback").inc()
            log.warning("storyboard output unusable; planner fallback", extra={"backend": name, "detail": detail})
            return [Notice("storyboard_parse_fallback",
                           f"the {name} model's output could not be used ({detail}); the planner wrote the storyboard")]
        if draft.outcome == ParseOutcome.REPAIRED:
            log.info("storyboard output repaired", extra={"backend": name, "detail": detail})
            return [Notice("storyboard_parse_repaired", f"the {name} model's output was repaired: {detail}")]
        return []
