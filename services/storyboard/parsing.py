"""Reading a language model's storyboard: JSON first, then "Scene N:" blocks, then validation.

Models wrap JSON in markdown fences, stop mid-object when they run out of tokens, rename keys,
or ignore the format and write numbered scenes. Everything here is tolerant of that; what cannot be
read is left empty so that the repair step can fill it from the planner.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from services.storyboard import lexicon, text
from services.storyboard.domain import Character, Transition

MAX_TEXT_CHARS = 4000
MAX_SHORT_CHARS = 300

# Scene fields a model is asked to write (repair counts the ones it left out).
AUTHORED_FIELDS = (
    "title", "description", "visual_prompt", "narration", "mood", "shot_type",
    "character", "background", "relation", "lighting", "camera_move", "transition",
)
_SHORT_FIELDS = frozenset({"title", "mood", "shot_type", "camera_move"})

# Key spellings seen in model output -> our field names.
_ALIASES: dict[str, str] = {
    "title": "title", "scenetitle": "title", "name": "title", "heading": "title",
    "description": "description", "desc": "description", "action": "description", "summary": "description",
    "scenedescription": "description", "plot": "description", "setting": "background",
    "visualprompt": "visual_prompt", "visual": "visual_prompt", "visuals": "visual_prompt",
    "imageprompt": "visual_prompt", "prompt": "visual_prompt", "visualdescription": "visual_prompt",
    "image": "visual_prompt", "shotdescription": "visual_prompt",
    "narration": "narration", "voiceover": "narration", "vo": "narration", "narrator": "narration",
    "dialogue": "narration", "dialog": "narration", "script": "narration", "text": "narration",
    "mood": "mood", "tone": "mood", "emotion": "mood", "atmosphere": "mood",
    "shottype": "shot_type", "shot": "shot_type", "framing": "shot_type", "shotsize": "shot_type",
    "character": "character", "characters": "character", "subject": "character",
    "background": "background", "location": "background", "environment": "background",
    "relation": "relation", "composition": "relation", "blocking": "relation", "staging": "relation",
    "lighting": "lighting", "light": "lighting", "hdr": "lighting", "hdrlighting": "lighting",
    "camera": "camera_move", "cameramove": "camera_move", "cameramovement": "camera_move",
    "camerapose": "camera_move", "cameramotion": "camera_move", "movement": "camera_move",
    "transition": "transition", "transitiontonext": "transition", "cut": "transition",
    "duration": "duration_s", "durations": "duration_s", "durationseconds": "duration_s", "seconds": "duration_s",
    "length": "duration_s", "time": "duration_s",
    "number": "number", "index": "number", "scene": "number", "scenenumber": "number", "id": "number",
}
_FENCE = re.compile(r"```[a-zA-Z]*\s*\n?(.*?)(?:```|\Z)", re.DOTALL)
_SCENE_HEADER = re.compile(
    r"^[ \t>*#_\-]*(?:\*\*)?\s*scene\s*(\d{1,3})\b\s*(?:\*\*)?\s*[:.)\-–—]*\s*(?:\*\*)?[ \t]*(.*)$",
    re.IGNORECASE | re.MULTILINE,
)
_NUMBERED = re.compile(r"^\s*(\d{1,2})[.)]\s+(.+)$", re.MULTILINE)
_KEY_LINE = re.compile(r"^\s*[-*•]?\s*(?:\*\*)?([A-Za-z][A-Za-z /_-]{0,28}?)(?:\*\*)?\s*[:：]\s*(?:\*\*)?\s*(.*)$")


@dataclass
class ParsedScene:
    number: int | None = None
    title: str = ""
    description: str = ""
    visual_prompt: str = ""
    narration: str = ""
    mood: str = ""
    shot_type: str = ""
    character: str = ""
    background: str = ""
    relation: str = ""
    lighting: str = ""
    camera_move: str = ""
    camera: tuple[float, float, float] | None = None  # pan, tilt, zoom when the model gave numbers
    transition: Transition | None = None
    duration_s: float | None = None

    def present(self, name: str) -> bool:
        value = getattr(self, name)
        return value is not None and value != ""

    @property
    def usable(self) -> bool:
        """A scene worth keeping says what happens in it in at least a few words."""
        return any(_wordy(getattr(self, f), 3) for f in ("description", "visual_prompt", "narration"))


@dataclass
class ParsedStoryboard:
    format: str = "none"  # "json", "scenes", "numbered" or "none"
    title: str = ""
    logline: str = ""
    characters: list[Character] = field(default_factory=list)
    music: dict[str, Any] = field(default_factory=dict)
    scenes: list[ParsedScene] = field(default_factory=list)
    truncated: bool = False

    @property
    def usable_scenes(self) -> list[ParsedScene]:
        return [s for s in self.scenes if s.usable]


def parse(output: str) -> ParsedStoryboard:
    """Parse model output: JSON (fenced, bare or truncated), else "Scene N:" blocks, else a numbered list."""
    data, truncated = extract_json(output)
    if data is not None:
        parsed = _from_json(data)
        if parsed.scenes:
            parsed.truncated = truncated
            return parsed
    parsed = _from_scene_blocks(output)
    if parsed.scenes:
        return parsed
    return _from_numbered(output)


# --- JSON ---------------------------------------------------------------------------------------
def extract_json(output: str) -> tuple[Any | None, bool]:
    """The first JSON object/array that looks like a storyboard; closes a truncated one if it must.

    Returns (data, truncated)."""
    candidates = [m.group(1) for m in _FENCE.finditer(output)] + [output]
    decoder = json.JSONDecoder()
    for candidate in candidates:
        starts = [m.start() for m in re.finditer(r"[\[{]", candidate)][:40]
        for attempt, start in enumerate(starts):
            try:
                data, _ = decoder.raw_decode(candidate, start)
            except json.JSONDecodeError:
                # Outer objects first: a cut-off storyboard beats one complete scene inside it.
                data = close_truncated_json(candidate[start:]) if attempt < 3 else None
                if data is not None and _looks_like_storyboard(data):
                    return data, True
                continue
            if _looks_like_storyboard(data):
                return data, False
    return None, False


def _looks_like_storyboard(data: Any) -> bool:
    if isinstance(data, dict):
        return isinstance(_get(data, "scenes", "shots", "storyboard"), list) or _scene_like(data)
    return isinstance(data, list) and any(isinstance(item, dict) and _scene_like(item) for item in data)


def _scene_like(data: dict[str, Any]) -> bool:
    return any(_ALIASES.get(_norm_key(k)) in ("description", "visual_prompt", "narration") for k in data)


def close_truncated_json(fragment: str) -> Any | None:
    """Parse JSON cut off mid-way: drop the unfinished tail back to a value boundary, close the rest."""
    stack: list[str] = []
    in_string = escaped = False
    cut_points: list[tuple[int, list[str], bool]] = []  # (end, open brackets, inside a string)
    for i, char in enumerate(fragment):
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
            continue
        if char == '"':
            in_string = True
        elif char in "[{":
            stack.append(char)
        elif char in "]}":
            if not stack:
                break
            stack.pop()
            cut_points.append((i + 1, stack.copy(), False))
            if not stack:
                return _loads(fragment[: i + 1])
        elif char == ",":
            cut_points.append((i, stack.copy(), False))
    tails = [(len(fragment), stack.copy(), in_string), *cut_points[::-1]]
    for end, open_brackets, open_string in tails[:60]:
        body = fragment[:end] + ('"' if open_string else "")
        body = re.sub(r"[\s,:]+$", "", body)
        if body.endswith(('{"', '["')) or (re.search(r'[{,]\s*"[^"]*"$', body) and open_brackets[-1:] == ["{"]):
            body = re.sub(r',?\s*"[^"]*"$', "", body)  # a dangling key without its value
        closing = "".join("}" if b == "{" else "]" for b in reversed(open_brackets))
        data = _loads(body + closing)
        if data is not None:
            return data
    return None


def _loads(candidate: str) -> Any | None:
    try:
        return json.loads(candidate)
    except (json.JSONDecodeError, RecursionError):
        return None


def _norm_key(key: str) -> str:
    return re.sub(r"[^a-z]", "", str(key).lower())


def _get(data: dict[str, Any], *names: str) -> Any:
    wanted = {_norm_key(n) for n in names}
    for key, value in data.items():
        if _norm_key(key) in wanted:
            return value
    return None


def _from_json(data: Any) -> ParsedStoryboard:
    parsed = ParsedStoryboard(format="json")
    if isinstance(data, list):
        raw_scenes: Any = data
    else:
        if isinstance(_get(data, "storyboard"), dict):
            data = _get(data, "storyboard")
        raw_scenes = _get(data, "scenes", "shots", "storyboard") or []
        parsed.title = _text(_get(data, "title", "film_title", "name"), MAX_SHORT_CHARS)
        parsed.logline = _text(_get(data, "logline", "synopsis", "summary", "premise"), MAX_TEXT_CHARS)
        parsed.characters = _characters(_get(data, "characters", "character_bible", "cast"))
        music = _get(data, "music", "music_brief", "soundtrack", "score")
        parsed.music = _music(music)
    if not isinstance(raw_scenes, list):
        return parsed
    for position, item in enumerate(raw_scenes):
        if isinstance(item, dict):
            scene = _scene_from_mapping(item)
        elif isinstance(item, str):
            scene = ParsedScene(description=_text(item, MAX_TEXT_CHARS))
        else:
            continue
        if scene.number is None:
            scene.number = position + 1
        parsed.scenes.append(scene)
    return parsed


def _scene_from_mapping(item: dict[str, Any]) -> ParsedScene:
    scene = ParsedScene()
    for key, value in item.items():
        name = _ALIASES.get(_norm_key(key))
        if name is None and isinstance(value, dict) and _norm_key(key) in ("shot", "shotdomains", "domains"):
            nested = _scene_from_mapping(value)
            for field_name in ("character", "background", "relation", "lighting", "camera_move", "shot_type"):
                if nested.present(field_name) and not scene.present(field_name):
                    setattr(scene, field_name, getattr(nested, field_name))
            if nested.camera is not None:
                scene.camera = nested.camera
            continue
        if name is None:
            continue
        _assign(scene, name, value)
    return scene


def _assign(scene: ParsedScene, name: str, value: Any) -> None:
    if name == "number":
        number = _number(value)
        scene.number = int(number) if number is not None and 0 < number < 1000 else scene.number
    elif name == "duration_s":
        duration = _number(value)
        scene.duration_s = duration if duration is not None and 0 < duration <= 3600 else None
    elif name == "transition":
        scene.transition = transition_from_text(_text(value, MAX_SHORT_CHARS))
    elif name == "camera_move":
        if isinstance(value, dict):
            pan, tilt, zoom = (_number(_get(value, k)) for k in ("pan", "tilt", "zoom"))
            if None not in (pan, tilt, zoom):
                scene.camera = (float(pan), float(tilt), float(zoom))  # type: ignore[arg-type]
            scene.camera_move = move_from_text(_text(_get(value, "move", "name", "type", "movement"), 200))
        else:
            scene.camera_move = move_from_text(_text(value, 200))
    elif name == "shot_type" and isinstance(value, dict):
        scene.shot_type = _text(_get(value, "type", "size", "shot_type"), MAX_SHORT_CHARS)
    elif not getattr(scene, name):
        limit = MAX_SHORT_CHARS if name in _SHORT_FIELDS else MAX_TEXT_CHARS
        setattr(scene, name, _text(value, limit))


def _characters(value: Any) -> list[Character]:
    out: list[Character] = []
    if isinstance(value, dict):  # {"Mara": "a tall ..."}
        value = [{"name": k, "description": v} for k, v in value.items()]
    if not isinstance(value, list):
        return out
    for item in value:
        if isinstance(item, dict):
            name = _text(_get(item, "name", "character"), 100)
            description = _text(_get(item, "description", "appearance", "visual", "look"), 1000)
            if name and _wordy(description, 2):
                out.append(Character(name, description))
    return out


def _music(value: Any) -> dict[str, Any]:
    if isinstance(value, str):
        return {"query": _text(value, MAX_SHORT_CHARS)}
    if not isinstance(value, dict):
        return {}
    tempo = _number(_get(value, "tempo_bpm", "tempo", "bpm"))
    return {
        "mood": _text(_get(value, "mood"), 100),
        "genre": _text(_get(value, "genre", "style"), 200),
        "tempo_bpm": tempo if tempo is not None and 20 <= tempo <= 300 else None,
        "query": _text(_get(value, "query", "search_query", "search"), MAX_SHORT_CHARS),
    }


# --- "Scene N:" blocks --------------------------------------------------------------------------
def _from_scene_blocks(output: str) -> ParsedStoryboard:
    parsed = ParsedStoryboard(format="scenes")
    headers = list(_SCENE_HEADER.finditer(output))
    seen: set[int] = set()
    for i, header in enumerate(headers):
        number = int(header.group(1))
        end = headers[i + 1].start() if i + 1 < len(headers) else len(output)
        body = output[header.end() : end]
        if number in seen:
            continue
        seen.add(number)
        scene = _scene_from_block(header.group(2), body)
        scene.number = number
        parsed.scenes.append(scene)
    parsed.scenes.sort(key=lambda s: s.number or 0)
    return parsed


def _scene_from_block(header_rest: str, body: str) -> ParsedScene:
    scene = ParsedScene()
    loose: list[str] = []
    current: str | None = None
    values: dict[str, list[str]] = {}
    rest = _strip_markup(header_rest)
    key_match = _KEY_LINE.match(rest) if rest else None
    if key_match and _ALIASES.get(_norm_key(key_match.group(1))):
        body = rest + "\n" + body
        rest = ""
    for line in body.splitlines():
        clean = _strip_markup(line)
        if not clean:
            current = None
            continue
        match = _KEY_LINE.match(clean)
        name = _ALIASES.get(_norm_key(match.group(1))) if match else None
        if match and name:
            current = name
            values.setdefault(name, []).append(match.group(2))
        elif current is not None:
            values[current].append(clean)
        else:
            loose.append(clean)
    for name, parts in values.items():
        _assign(scene, name, " ".join(p for p in parts if p))
    free_text = " ".join(loose)
    if rest and (values or free_text):
        scene.title = scene.title or _text(rest.strip("*_ "), MAX_SHORT_CHARS)
    elif rest:
        free_text = f"{rest} {free_text}".strip()
    if free_text and not scene.description:
        scene.description = _text(free_text, MAX_TEXT_CHARS)
    return scene


def _from_numbered(output: str) -> ParsedStoryboard:
    parsed = ParsedStoryboard(format="numbered")
    seen: set[int] = set()
    for match in _NUMBERED.finditer(output):
        number = int(match.group(1))
        if number in seen or number == 0:
            continue
        seen.add(number)
        description = _text(_strip_markup(match.group(2)), MAX_TEXT_CHARS)
        parsed.scenes.append(ParsedScene(number=number, description=description))
    if not parsed.scenes:
        parsed.format = "none"
    return parsed


# --- value cleaning -----------------------------------------------------------------------------
def _strip_markup(line: str) -> str:
    line = re.sub(r"^[\s>#]+", "", line)
    line = re.sub(r"\*\*|__|`", "", line)
    return line.strip()


def _text(value: Any, limit: int) -> str:
    """A clean single-paragraph string, or "" for values that are not text a person would write."""
    if value is None or isinstance(value, bool):
        return ""
    if isinstance(value, (int, float)):
        return ""
    if isinstance(value, list):
        value = ", ".join(str(v) for v in value if isinstance(v, (str, int, float)))
    if isinstance(value, dict):
        return ""
    cleaned = re.sub(r"\s+", " ", str(value)).strip().strip('"').strip()
    if not cleaned or not _wordy(cleaned, 1):
        return ""
    letters = sum(ch.isalpha() for ch in cleaned)
    if letters < 0.5 * len(cleaned.replace(" ", "")):
        return ""
    return text.clip(cleaned, limit)


def _wordy(value: str, minimum: int) -> bool:
    return isinstance(value, str) and sum(1 for w in value.split() if any(ch.isalpha() for ch in w)) >= minimum


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value) if value == value and abs(value) != float("inf") else None
    if isinstance(value, str):
        match = re.search(r"-?\d+(?:\.\d+)?", value)
        return float(match.group()) if match else None
    return None


def move_from_text(value: str) -> str:
    """'slow push toward her face' -> 'push-in'; '' when no named move is recognised."""
    lower = value.lower().replace("_", " ")
    if lower.strip() in lexicon.CAMERA_MOVES:
        return lower.strip()
    for phrase, move in lexicon.MOVE_SYNONYMS:
        if phrase in lower:
            return move
    return ""


def transition_from_text(value: str) -> Transition | None:
    lower = value.lower()
    if not lower:
        return None
    if "black" in lower or "dip" in lower or "fade out" in lower:
        return Transition.DIP_TO_BLACK
    if "morph" in lower or "flow" in lower or "match" in lower:
        return Transition.FLOW_MORPH
    if "dissolve" in lower or "fade" in lower or "cross" in lower or "blend" in lower or "mix" in lower:
        return Transition.CROSSFADE
    if "cut" in lower or "smash" in lower or "hard" in lower:
        return Transition.CUT
    return None
