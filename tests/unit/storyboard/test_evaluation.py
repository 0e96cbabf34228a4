"""`cinesynth-storyboard eval`: BLEU and semantic coherence against reference scripts."""

from __future__ import annotations

import json

import pytest

from services.storyboard.evaluation import DEFAULT_REFS, coherence, cosine, load_references
from services.storyboard.main import main


def test_the_shipped_reference_set_is_well_formed():
    references = load_references(DEFAULT_REFS)
    assert 8 <= len(references) <= 12
    assert len({r.id for r in references}) == len(references)
    for ref in references:
        assert ref.prompt and len(ref.scenes) == ref.scene_count >= 5


def test_coherence_is_cosine_similarity_over_embeddings():
    vectors = {"p": [1.0, 0.0], "a": [1.0, 0.0], "b": [0.0, 1.0]}
    prompt_scene, scene_scene = coherence("p", ["a", "b"], lambda texts: [vectors[t] for t in texts])
    assert prompt_scene == pytest.approx(0.5) and scene_scene == pytest.approx(0.0)
    assert cosine([1, 1], [2, 2]) == pytest.approx(1.0)


def test_eval_prints_a_table_with_real_embeddings(tmp_path, capsys):
    refs = tmp_path / "refs.jsonl"
    lines = [json.loads(line) for line in DEFAULT_REFS.read_text().splitlines()[:2]]
    refs.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    assert main(["eval", str(refs), "--backend", "planner"]) == 0
    out = capsys.readouterr().out
    assert "BLEU" in out and "corpus BLEU" in out and lines[0]["id"] in out
    assert main(["eval", str(refs), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert len(report["rows"]) == 2
    summary = report["summary"]
    assert 0 <= summary["corpus_bleu"] <= 1
    assert 0 < summary["prompt_scene"] <= 1 and 0 < summary["scene_scene"] <= 1


def test_a_bad_reference_file_is_reported(tmp_path, capsys):
    refs = tmp_path / "bad.jsonl"
    refs.write_text('{"prompt": "no reference here"}\n')
    assert main(["eval", str(refs)]) == 2
    assert "bad.jsonl:1" in capsys.readouterr().err
