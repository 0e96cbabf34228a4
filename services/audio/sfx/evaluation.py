"""`python -m services.audio.sfx.evaluation [SET.jsonl]` (`make eval-sfx`): text -> sound retrieval
accuracy of the built-in library on a held-out set of descriptions (never used to tune anything).

Each line: {"text": ..., "kind": "ambience" | "effect", "expect": [acceptable ids, best first],
"language": "en" (default)}. Prints accuracy@1 (the top sound is acceptable) and @3, overall, for
English and for other languages, plus every miss.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from services.audio.sfx.library import SfxLibrary, SoundIndex


@dataclass(frozen=True)
class Case:
    text: str
    kind: str
    expect: tuple[str, ...]
    language: str = "en"


@dataclass(frozen=True)
class Outcome:
    case: Case
    ranked: tuple[str, ...]
    top_similarity: float

    @property
    def hit1(self) -> bool:
        return self.ranked[0] in self.case.expect

    @property
    def hit3(self) -> bool:
        return any(r in self.case.expect for r in self.ranked[:3])


def load_cases(path: Path | None = None) -> list[Case]:
    text = path.read_text(encoding="utf-8") if path else \
        resources.files("services.audio.sfx.data").joinpath("eval_heldout.jsonl").read_text(encoding="utf-8")
    cases = []
    for line in text.splitlines():
        if line.strip():
            raw = json.loads(line)
            cases.append(Case(raw["text"], raw["kind"], tuple(raw["expect"]), raw.get("language", "en")))
    return cases


def evaluate(cases: Sequence[Case], index: SoundIndex) -> list[Outcome]:
    outcomes = []
    for kind in sorted({c.kind for c in cases}):
        of_kind = [c for c in cases if c.kind == kind]
        for case, ranked in zip(of_kind, index.rank_many([c.text for c in of_kind], kind), strict=True):
            outcomes.append(Outcome(case, tuple(m.entry.id for m in ranked[:3]), ranked[0].similarity))
    return outcomes


def summary(outcomes: Sequence[Outcome]) -> dict[str, dict[str, float]]:
    groups = {
        "all": list(outcomes),
        "english": [o for o in outcomes if o.case.language == "en"],
        "other languages": [o for o in outcomes if o.case.language != "en"],
    }
    return {
        name: {"n": len(g), "acc@1": sum(o.hit1 for o in g) / len(g), "acc@3": sum(o.hit3 for o in g) / len(g)}
        for name, g in groups.items() if g
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="eval-sfx", description=__doc__.splitlines()[0])
    parser.add_argument("cases", nargs="?", type=Path, default=None, help="JSONL set (default: the held-out set)")
    args = parser.parse_args(argv)
    cases = load_cases(args.cases)
    start = time.perf_counter()
    outcomes = evaluate(cases, SfxLibrary().builtin())
    for o in outcomes:
        if not o.hit1:
            print(f"miss [{o.case.language}] {o.case.kind:8s} {o.case.text!r}: got {o.ranked[0]} "
                  f"({o.top_similarity:.2f}), expected {o.case.expect[0]}")
    for name, row in summary(outcomes).items():
        print(f"{name:16s} n={row['n']:3.0f}  accuracy@1={row['acc@1']:.3f}  accuracy@3={row['acc@3']:.3f}")
    print(f"seconds={time.perf_counter() - start:.1f} (including the encoder load)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
