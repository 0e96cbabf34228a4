"""Each scene's sound, named from what the scene shows: an ambience and a few timed effects.

    annotate(storyboard, given)     # storyboard: the finished cinesynth.v1.Storyboard (planner or LM)

The scene's setting (its background and description) is matched by meaning against the
situations of each ambience in `data/scene_sounds.yaml`, and its action (description and
narration, clause by clause: one action per clause) against those of each effect, with the offline
MiniLM sentence encoder: the vocabulary says where a sound is heard, never which words trigger it.
The best ambience is kept when it clears `AMBIENCE_MIN`; the best effects that clear `EFFECT_MIN`
are kept (at most `MAX_EFFECTS`), at seeded times inside the middle of the scene. A scene
whose sound the client wrote (a client storyboard) keeps it as given, after checks.
"""

from __future__ import annotations

import hashlib
import math
import re
import threading
from dataclasses import dataclass
from importlib import resources

import numpy as np
import yaml

from services.common import pb
from services.common.errors import Collector
from services.common.text_embedding import Embedder

common = pb.common_pb2

# Fixed on a handful of development scenes (tests/unit/storyboard/test_scene_sound.py), not on the
# held-out retrieval set.
AMBIENCE_MIN = 0.25
EFFECT_MIN = 0.45
MAX_EFFECTS = 2
# Effects land inside this part of the scene, away from the cuts.
EFFECT_WINDOW = (0.2, 0.8)
MAX_SOUND_TEXT_CHARS = 300
MAX_EFFECTS_PER_SCENE = 16


@dataclass(frozen=True)
class Vocabulary:
    names: tuple[str, ...]
    vectors: np.ndarray


class SoundNamer:
    """Names scene sounds; the vocabulary embeddings are computed once, on first use."""

    def __init__(self, embedder: Embedder | None = None) -> None:
        self.embedder = embedder or Embedder()
        self._lock = threading.Lock()
        self._vocab: dict[str, Vocabulary] | None = None

    def vocabulary(self) -> dict[str, Vocabulary]:
        with self._lock:
            if self._vocab is None:
                data = resources.files("services.storyboard.data").joinpath("scene_sounds.yaml")
                raw = yaml.safe_load(data.read_text(encoding="utf-8"))
                self._vocab = {
                    kind: Vocabulary(
                        tuple(item["sound"] for item in raw[kind]),
                        self.embedder.encode([f"{item['sound']}: {item['heard_in']}" for item in raw[kind]]),
                    )
                    for kind in ("ambiences", "effects")
                }
            return self._vocab

    def name(self, scenes: list[common.Scene], seed: int) -> list[common.SceneSound]:
        """A sound for each scene (all scenes embedded in one batch per kind)."""
        if not scenes:
            return []
        vocab = self.vocabulary()
        settings = self.embedder.encode([setting_text(s) for s in scenes])
        ambience_scores = settings @ vocab["ambiences"].vectors.T
        per_scene = [clauses(action_text(s)) or [action_text(s)] for s in scenes]
        clause_scores = self.embedder.encode([c for cs in per_scene for c in cs]) @ vocab["effects"].vectors.T
        bounds = np.cumsum([0, *(len(cs) for cs in per_scene)])
        effect_scores = np.stack([clause_scores[bounds[i]:bounds[i + 1]].max(axis=0) for i in range(len(scenes))])
        sounds = []
        for i, scene in enumerate(scenes):
            sound = common.SceneSound()
            best = int(np.argmax(ambience_scores[i]))
            if ambience_scores[i, best] >= AMBIENCE_MIN:
                sound.ambience = vocab["ambiences"].names[best]
            picked = [
                int(k) for k in np.argsort(-effect_scores[i], kind="stable")[:MAX_EFFECTS]
                if effect_scores[i, k] >= EFFECT_MIN
            ]
            for k, t in zip(picked, effect_times(len(picked), scene.duration_s, seed, scene.index), strict=True):
                sound.effects.add(description=vocab["effects"].names[k], at_s=t)
            sounds.append(sound)
        return sounds


def setting_text(scene: common.Scene) -> str:
    return ". ".join(p for p in (scene.shot.background, scene.description) if p.strip()) or scene.visual_prompt


def action_text(scene: common.Scene) -> str:
    return ". ".join(p for p in (scene.description, scene.narration) if p.strip()) or scene.visual_prompt


_CLAUSE_BREAK = re.compile(r"[.;:!?\n]+|,\s+|\s+(?:while|as|then|and then|when)\s+", re.IGNORECASE)


def clauses(text: str) -> list[str]:
    """The text cut at sentence ends, commas and a few conjunctions: one action per piece."""
    return [c.strip() for c in _CLAUSE_BREAK.split(text) if len(c.strip()) > 3]


def effect_times(count: int, duration_s: float, seed: int, scene_index: int) -> list[float]:
    """`count` times inside the scene's middle, spread out, seeded (same storyboard, same times)."""
    if count == 0 or not duration_s > 0:
        return []
    digest = hashlib.sha256(f"scene-sound:{seed}:{scene_index}".encode()).digest()
    rng = np.random.default_rng(int.from_bytes(digest[:8], "little"))
    lo, hi = EFFECT_WINDOW
    slots = [(lo + (hi - lo) * (k + rng.uniform(0.2, 0.8)) / count) * duration_s for k in range(count)]
    return [round(t, 1) for t in slots]


def has_sound(scene: common.Scene) -> bool:
    return bool(scene.sound.ambience.strip() or scene.sound.effects)


def check_given(given: common.Storyboard) -> None:
    """A client storyboard's scene sound: sizes and every effect inside its scene (INVALID_ARGUMENT)."""
    errors = Collector()
    for i, scene in enumerate(given.scenes):
        where = f"storyboard.scenes[{i}].sound"
        if len(scene.sound.ambience) > MAX_SOUND_TEXT_CHARS:
            errors.add(f"{where}.ambience", f"must be at most {MAX_SOUND_TEXT_CHARS} characters")
        if len(scene.sound.effects) > MAX_EFFECTS_PER_SCENE:
            errors.add(f"{where}.effects", f"at most {MAX_EFFECTS_PER_SCENE} effects per scene, got "
                       f"{len(scene.sound.effects)}")
        for k, effect in enumerate(scene.sound.effects):
            if len(effect.description) > MAX_SOUND_TEXT_CHARS:
                errors.add(f"{where}.effects[{k}].description", f"must be at most {MAX_SOUND_TEXT_CHARS} characters")
            elif not effect.description.strip():
                errors.add(f"{where}.effects[{k}].description", "must not be empty")
            if not math.isfinite(effect.at_s) or effect.at_s < 0 or effect.at_s > scene.duration_s:
                errors.add(f"{where}.effects[{k}].at_s",
                           f"must be within the scene (0..{scene.duration_s:g} s), got {effect.at_s:g}")
    errors.raise_if_any()


_DEFAULT_NAMER = SoundNamer()


def warm() -> None:
    """Load the encoder and embed the vocabulary before the service reports SERVING."""
    _DEFAULT_NAMER.vocabulary()


def annotate(storyboard: common.Storyboard, given: common.Storyboard | None = None,
             namer: SoundNamer | None = None) -> None:
    """Fill each scene's sound in place: the client's where it wrote one, named from the scene otherwise."""
    if given is not None:
        check_given(given)
        for scene, source in zip(storyboard.scenes, given.scenes, strict=False):
            if has_sound(source):
                scene.sound.CopyFrom(source.sound)
    todo = [s for s in storyboard.scenes if not has_sound(s)]
    for scene, sound in zip(todo, (namer or _DEFAULT_NAMER).name(todo, storyboard.seed), strict=True):
        scene.sound.CopyFrom(sound)
