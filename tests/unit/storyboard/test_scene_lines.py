"""Scene lines: a small LM writes one sentence per scene, the planner shoots each one."""

from __future__ import annotations

import pytest

from services.storyboard import scene_lines
from services.storyboard.backends import BackendError
from services.storyboard.core import StoryboardWriter
from services.storyboard.domain import Backend, Brief, ParseOutcome, StoryboardRequest
from services.storyboard.planner import Planner
from services.storyboard.settings import StoryboardSettings
from tests.unit.storyboard.checks import assert_complete

LINES = [
    "A baker feeds the sourdough starter with flour and water at dawn.",
    "She folds the sticky dough on a floured wooden board.",
    "The dough rises overnight in a linen-lined basket.",
    "The loaf is scored and slid into a hot dutch oven.",
    "The baker breaks the crackling crust and smiles.",
]


def brief(prompt: str, count: int = 5) -> Brief:
    return Brief(prompt=prompt, scene_count=count, duration_s=40, style="", seed=3, backend=Backend.TRANSFORMERS,
                 model="")


@pytest.mark.parametrize(("raw", "expected"), [
    (" A baker kneads dough.\n2. next", "A baker kneads dough."),
    ("Scene 3: the loaf rises in the oven", "The loaf rises in the oven"),
    ('**"A heron waits on the ice."**', "A heron waits on the ice."),
    ("The first scene:", ""),
    ("  ok then", ""),
    ("1. A rover crosses the red dunes at dusk.", "A rover crosses the red dunes at dusk."),
])
def test_lines_are_read_leniently(raw, expected):
    assert scene_lines.clean_line(raw) == expected


def test_a_run_on_line_is_cut_to_whole_sentences():
    line = scene_lines.clean_line(" ".join(["The baker shapes the loaf by hand."] * 10))
    assert line.endswith(".") and len(line.split()) <= 40


def test_each_line_becomes_its_scene_and_the_planner_keeps_the_shot():
    b = brief("how to bake a sourdough loaf at home")
    plan = Planner().plan(b)
    draft = scene_lines.expand(LINES, plan, 0.5)
    assert draft.outcome == ParseOutcome.OK and not draft.planner_written
    for scene, planned, line in zip(draft.storyboard.scenes, plan.storyboard.scenes, LINES, strict=True):
        assert scene.description == line and scene.narration == line and line.rstrip(".") in scene.visual_prompt
        assert scene.shot.camera_pose == planned.shot.camera_pose and scene.duration_s == planned.duration_s
        assert scene.visual_prompt.startswith(planned.shot_type)


def test_unusable_or_repeated_lines_leave_the_planners_scene():
    plan = Planner().plan(brief("how to bake a sourdough loaf at home"))
    draft = scene_lines.expand([LINES[0], "", LINES[0], LINES[3], LINES[4]], plan, 0.5)
    assert draft.outcome == ParseOutcome.REPAIRED and draft.planner_written == {1, 2}
    assert draft.storyboard.scenes[1].description == plan.storyboard.scenes[1].description
    assert scene_lines.expand(["", "", LINES[0], "", ""], plan, 0.5).outcome == ParseOutcome.FALLBACK


def test_the_model_is_asked_in_the_prompts_language():
    plan = Planner().plan(brief("Eine junge Bäckerin in Hamburg verliert ihren Laden"))
    messages = scene_lines.messages(brief("Eine junge Bäckerin in Hamburg verliert ihren Laden"), plan)
    assert "Write in German." in messages[-1]["content"]
    assert scene_lines.prefix(["A.", "B."], 3) == "1. A.\n2. B.\n3."


def test_model_references_resolve_to_a_directory_and_gguf_file(tmp_path):
    from services.storyboard.transformers_backend import resolve_model

    assert resolve_model(str(tmp_path / "m.Q4.gguf")) == (str(tmp_path), "m.Q4.gguf")
    assert resolve_model("gpt2") == ("gpt2", None)
    directory, file = resolve_model("package:json/x.gguf")  # any installed package
    assert directory.endswith("json") and file == "x.gguf"
    with pytest.raises(BackendError, match="not installed"):
        resolve_model("package:no_such_package_15/x.gguf")


@pytest.fixture(scope="module")
def tiny_chat_lm(tmp_path_factory):
    pytest.importorskip("transformers")
    from services.storyboard.transformers_backend import clear_model_cache
    from tests.unit.storyboard.tiny_lm import build_tiny_gpt2

    yield str(build_tiny_gpt2(tmp_path_factory.mktemp("tiny-lines"), chat_template=True, n_positions=1024))
    clear_model_cache()


def test_a_real_tiny_lm_writes_lines_through_the_production_loader(tiny_chat_lm):
    settings = StoryboardSettings(default_backend="transformers", transformers_model=tiny_chat_lm,
                                  transformers_device="cpu", transformers_line_tokens=12)
    writer = StoryboardWriter(settings)
    storyboard = writer.create(StoryboardRequest(prompt="a lighthouse keeper's last night", scene_count=3, seed=1))
    provenance = storyboard.provenance
    assert provenance.backend == Backend.TRANSFORMERS and provenance.model == tiny_chat_lm
    if provenance.parse_outcome != ParseOutcome.OK:  # random weights: lines may be unusable
        assert {w.code for w in provenance.warnings} & {"storyboard_parse_repaired", "storyboard_parse_fallback"}
    assert_complete(storyboard)
    assert len(storyboard.scenes) == 3


def test_an_expired_budget_leaves_the_planner_with_a_warning(tiny_chat_lm):
    settings = StoryboardSettings(default_backend="transformers", transformers_model=tiny_chat_lm,
                                  transformers_device="cpu")
    writer = StoryboardWriter(settings)
    storyboard = writer.create(StoryboardRequest(prompt="a poem about rain", scene_count=2, seed=1),
                               time_budget_s=1e-9)
    assert storyboard.provenance.parse_outcome == ParseOutcome.FALLBACK
    assert any("time budget" in w.message for w in storyboard.provenance.warnings)
    assert_complete(storyboard)


def test_constrained_decoding_gives_exactly_one_numbered_line_per_scene(tiny_chat_lm):
    # Random weights never keep a format by themselves: the numbers and line ends are ours.
    from services.storyboard.transformers_backend import GenerationSettings, generate_lines, load_causal_lm

    loaded = load_causal_lm(tiny_chat_lm, device="cpu")
    b = brief("a heron in a winter pond", count=4)
    lines = generate_lines(loaded, scene_lines.messages(b, Planner().plan(b)), 4,
                           settings=GenerationSettings(line_tokens=6))
    assert len(lines) == 4


def test_numbered_text_is_split_in_order_with_gaps_kept():
    assert scene_lines.split_numbered("1. a\n2. b\nnoise\n4. d\n", 5) == [" a", " b", "", " d"]
    assert scene_lines.split_numbered("no numbers", 3) == []
