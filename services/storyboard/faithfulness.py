"""`cinesynth-storyboard faithfulness`: does each storyboard tell the story its own prompt asked for?

Each line of the prompt set (JSON lines): {"id", "form", "lang", "prompt", "subjects": [...],
"age": "child|young|adult|old" (optional), "count": 3 (optional), "product": "Name" (optional),
"scene_count", "duration_s", "seed"}. Every prompt is written by the chosen backend(s) in-process and
scored with the offline all-MiniLM-L6-v2 embeddings:

- retrieval@1: share of scenes (visual prompt + narration) whose nearest prompt, among ALL prompts of
  the set, is their own;
- margin: cosine to the own prompt minus the best cosine to any other prompt (mean over scenes);
- subject share: share of scenes naming at least one of the prompt's subjects;
- attribute checks: the cast's age matches, a stated count is said, a product is named in most scenes
  and in the closing one, the narration is in the prompt's language;
- latency per storyboard and the parse outcome of the LM backends.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from services.storyboard.domain import Backend, Storyboard, StoryboardRequest
from services.storyboard.evaluation import Embedder, cosine, minilm_embedder
from services.storyboard.language import detect_language

HELP = "score storyboard faithfulness to their prompts (MiniLM retrieval, subjects, attributes, latency)"
DEFAULT_PROMPTS = Path(__file__).with_name("data") / "faithfulness_prompts.jsonl"

AGE_WORDS = {
    "child": ("child", "girl", "boy", "kid", "years old", "kind", "mädchen", "junge ", "niña", "niño", "enfant",
              "fillette", "garçon", "children", "kinder", "bambino", "bambina", "bambini", "criança", "menina",
              "menino", "ragazzino", "ragazzina"),
    "young": ("twenties", "young", "teen", "junge", "jung", "joven", "jeune", "zwanzig", "veinte", "vingtaine",
              "giovane", "jovem"),
    "adult": ("thirties", "forties", "fifties", "adult", "dreißig", "vierzig", "treinta", "cuarenta", "trentaine",
              "quarantaine", "middle-aged"),
    "old": ("sixties", "seventies", "eighties", "old", "elderly", "grey", "gray", "retired", "aged", "alt", "ältere",
            "viejo", "vieja", "anciano", "anciana", "vieux", "vieille", "âgé", "sechzig", "siebzig", "achtzig",
            "setenta", "ochenta", "soixantaine", "septuagénaire", "vecchio", "vecchia", "anziano", "anziana",
            "velho", "velha", "idoso", "idosa", "grandmother", "grandfather", "großmutter", "großvater", "oma",
            "opa", "abuela", "abuelo", "grand-mère", "grand-père", "nonna", "nonno", "avó", "avô"),
}
# An "old" hero described as in their twenties is wrong; a child in their seventies is wrong.
AGE_CONFLICTS = {"child": ("twenties", "thirties", "sixties", "seventies", "eighties"),
                 "old": ("twenties", "thirties", "about eight", "about ten", "small child"),
                 "young": ("sixties", "seventies", "eighties"), "adult": ("seventies", "eighties", "small child")}
COUNT_WORDS = {
    2: ("two", "twin", "both", "pair", "zwei", "beide", "dos", "ambos", "deux"),
    3: ("three", "trio", "drei", "tres", "trois"),
    4: ("four", "vier", "cuatro", "quatre"),
}


@dataclass(frozen=True)
class EvalPrompt:
    id: str
    form: str
    lang: str
    prompt: str
    subjects: list[str]
    age: str = ""
    count: int = 0
    product: str = ""
    scene_count: int = 5
    duration_s: float = 40.0
    seed: int | None = None


@dataclass
class PromptResult:
    id: str
    form: str
    lang: str
    backend: str
    outcome: str
    seconds: float
    scenes: int
    retrieved: int  # scenes whose nearest prompt is their own
    margins: list[float] = field(default_factory=list)
    own: list[float] = field(default_factory=list)
    subject_scenes: int = 0
    checks: dict[str, bool] = field(default_factory=dict)


def load_prompts(path: Path) -> list[EvalPrompt]:
    prompts = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            prompts.append(EvalPrompt(
                id=str(item["id"]), form=str(item["form"]), lang=str(item["lang"]), prompt=str(item["prompt"]),
                subjects=[str(s) for s in item["subjects"]], age=str(item.get("age", "")),
                count=int(item.get("count", 0)), product=str(item.get("product", "")),
                scene_count=int(item.get("scene_count", 5)), duration_s=float(item.get("duration_s", 40)),
                seed=item.get("seed"),
            ))
        except (ValueError, KeyError, TypeError) as error:
            raise ValueError(f"{path}:{number}: not a prompt line ({error})") from error
    if len({p.id for p in prompts}) != len(prompts):
        raise ValueError(f"{path}: duplicate ids")
    return prompts


def scene_texts(storyboard: Storyboard) -> list[str]:
    """What a viewer sees and hears of each scene: the image prompt and the voice-over."""
    return [f"{s.visual_prompt}. {s.narration}" for s in storyboard.scenes]


def _mentions(text: str, term: str) -> bool:
    return re.search(r"(?<!\w)" + re.escape(term.casefold()), text.casefold()) is not None


def attribute_checks(item: EvalPrompt, storyboard: Storyboard) -> dict[str, bool]:
    checks: dict[str, bool] = {}
    texts = scene_texts(storyboard)
    if item.age:
        cast = " ".join([c.description for c in storyboard.characters] + [s.shot.character for s in storyboard.scenes])
        fits = any(_mentions(cast, w) for w in AGE_WORDS[item.age])
        clashes = any(_mentions(cast, w) for w in AGE_CONFLICTS.get(item.age, ()))
        checks["age"] = fits and not clashes
    if item.count:
        spoken = " ".join([storyboard.logline, *texts])
        checks["count"] = str(item.count) in spoken or any(_mentions(spoken, w) for w in COUNT_WORDS[item.count])
    if item.product:
        named = [item.product in t for t in texts]
        closing = storyboard.scenes[-1].narration if storyboard.scenes else ""
        checks["product"] = sum(named) * 2 >= len(named) and item.product in closing
    narration = " ".join(s.narration for s in storyboard.scenes)
    checks["lang"] = detect_language(narration) == item.lang
    return checks


def score(
    items: Sequence[EvalPrompt], storyboards: Sequence[Storyboard], seconds: Sequence[float], embed: Embedder,
    backend: str,
) -> list[PromptResult]:
    prompt_vecs = embed([p.prompt for p in items])
    results = []
    for index, (item, storyboard, took) in enumerate(zip(items, storyboards, seconds, strict=True)):
        texts = scene_texts(storyboard)
        result = PromptResult(
            item.id, item.form, item.lang, backend, storyboard.provenance.parse_outcome.value, took, len(texts), 0,
        )
        for vec in embed(texts) if texts else []:
            sims = [cosine(vec, p) for p in prompt_vecs]
            own = sims[index]
            best_other = max(s for j, s in enumerate(sims) if j != index)
            result.retrieved += own > best_other
            result.own.append(own)
            result.margins.append(own - best_other)
        scene_words = [f"{t} {s.description}" for t, s in zip(texts, storyboard.scenes, strict=True)]
        result.subject_scenes = sum(any(_mentions(t, w) for w in item.subjects) for t in scene_words)
        result.checks = attribute_checks(item, storyboard)
        results.append(result)
    return results


def summarise(results: Sequence[PromptResult]) -> dict[str, object]:
    scenes = sum(r.scenes for r in results) or 1
    margins = [m for r in results for m in r.margins]
    checks: dict[str, list[bool]] = {}
    for r in results:
        for name, ok in r.checks.items():
            checks.setdefault(name, []).append(ok)
    seconds = [r.seconds for r in results]
    return {
        "prompts": len(results),
        "retrieval_at_1": sum(r.retrieved for r in results) / scenes,
        "own_cosine": statistics.fmean(o for r in results for o in r.own) if margins else 0.0,
        "margin": statistics.fmean(margins) if margins else 0.0,
        "subject_share": sum(r.subject_scenes for r in results) / scenes,
        "checks": {name: [sum(v), len(v)] for name, v in sorted(checks.items())},
        "latency_p50_s": statistics.median(seconds) if seconds else 0.0,
        "latency_max_s": max(seconds, default=0.0),
        "outcomes": dict(Counter(r.outcome for r in results)),
        "by_lang": {
            lang: {"retrieval_at_1": sum(r.retrieved for r in rs) / (sum(r.scenes for r in rs) or 1),
                   "margin": statistics.fmean(m for r in rs for m in r.margins) if any(r.margins for r in rs) else 0.0}
            for lang in sorted({r.lang for r in results}) for rs in [[r for r in results if r.lang == lang]]
        },
        "by_form": {
            form: {"retrieval_at_1": sum(r.retrieved for r in rs) / (sum(r.scenes for r in rs) or 1),
                   "margin": statistics.fmean(m for r in rs for m in r.margins) if any(r.margins for r in rs) else 0.0}
            for form in sorted({r.form for r in results}) for rs in [[r for r in results if r.form == form]]
        },
    }


def _ratio(passed_of: list[int] | None) -> str:
    return f"{passed_of[0]}/{passed_of[1]}" if passed_of else "-"


def format_summaries(summaries: dict[str, dict[str, object]]) -> str:
    check_names = sorted({n for s in summaries.values() for n in s["checks"]})  # type: ignore[attr-defined]
    header = (f"{'backend':<22} {'n':>3} {'R@1':>5} {'own':>5} {'margin':>7} {'subj':>5} "
              + " ".join(f"{n:>8}" for n in check_names) + f" {'p50 s':>6} {'max s':>6}  outcomes")
    lines = [header, "-" * len(header)]
    for name, s in summaries.items():
        checks = s["checks"]
        cells = " ".join(f"{_ratio(checks.get(n)):>8}" for n in check_names)
        lines.append(
            f"{name:<22} {s['prompts']:>3} {s['retrieval_at_1']:>5.2f} {s['own_cosine']:>5.2f} {s['margin']:>7.3f} "
            f"{s['subject_share']:>5.2f} {cells} {s['latency_p50_s']:>6.2f} {s['latency_max_s']:>6.2f}  "
            + ",".join(f"{k}={v}" for k, v in sorted(s["outcomes"].items()))  # type: ignore[attr-defined]
        )
    for name, s in summaries.items():
        forms = s["by_form"]
        lines.append(f"{name} by form: " + "  ".join(
            f"{form} {v['retrieval_at_1']:.2f}/{v['margin']:+.2f}" for form, v in forms.items()))  # type: ignore[attr-defined]
    for name, s in summaries.items():
        languages = s["by_lang"]
        lines.append(f"{name} by language: " + "  ".join(
            f"{lang} {v['retrieval_at_1']:.2f}/{v['margin']:+.2f}" for lang, v in languages.items()))  # type: ignore[attr-defined]
    lines.append("R@1 = scene nearest its own prompt among all prompts (MiniLM); by form/language: R@1/margin")
    return "\n".join(lines)


def run_backend(
    items: Sequence[EvalPrompt], write: Callable[[StoryboardRequest], Storyboard], backend: Backend | None,
) -> tuple[list[Storyboard], list[float]]:
    storyboards, seconds = [], []
    for item in items:
        started = time.perf_counter()
        storyboards.append(write(StoryboardRequest(
            prompt=item.prompt, scene_count=item.scene_count, duration_s=item.duration_s, seed=item.seed,
            backend=backend,
        )))
        seconds.append(time.perf_counter() - started)
    return storyboards, seconds


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("prompts", nargs="?", type=Path, default=DEFAULT_PROMPTS,
                        help=f"prompt set (JSON lines; default: the shipped {DEFAULT_PROMPTS.name})")
    parser.add_argument("--backend", action="append", choices=[b.value for b in Backend], default=None,
                        help="backend to score (repeatable; default: the configured one)")
    parser.add_argument("--model", default="", help="model id or local path for the LLM backends")
    parser.add_argument("--limit", type=int, default=0, help="score only the first N prompts (0: all)")
    parser.add_argument("--json", action="store_true", help="print per-prompt results and summaries as JSON")


def run(args: argparse.Namespace) -> int:
    from services.storyboard.core import StoryboardWriter
    from services.storyboard.settings import StoryboardSettings

    try:
        items = load_prompts(args.prompts)
    except (OSError, ValueError) as error:
        print(f"cinesynth-storyboard faithfulness: {error}", file=sys.stderr)
        return 2
    if args.limit:
        items = items[: args.limit]
    settings = StoryboardSettings()
    writer = StoryboardWriter(settings)
    embed = minilm_embedder()
    summaries: dict[str, dict[str, object]] = {}
    per_prompt: list[dict[str, object]] = []

    def write(request: StoryboardRequest) -> Storyboard:
        request.model = args.model
        return writer.create(request)

    try:
        for name in args.backend or [settings.default_backend]:
            backend = Backend(name)
            if backend != Backend.PLANNER:
                started = time.perf_counter()
                writer.warm_backend(backend)
                print(f"{name}: loaded in {time.perf_counter() - started:.1f} s", file=sys.stderr)
            storyboards, seconds = run_backend(items, write, backend)
            results = score(items, storyboards, seconds, embed, name)
            summaries[name] = summarise(results)
            per_prompt.extend(asdict(r) for r in results)
    finally:
        writer.close()
    if args.json:
        print(json.dumps({"summaries": summaries, "prompts": per_prompt}, indent=2, ensure_ascii=False))
    else:
        print(format_summaries(summaries))
    return 0
