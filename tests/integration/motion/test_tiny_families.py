"""LTX-Video, Wan2.1-I2V and AnimateDiff: tiny random pipelines built offline with the real classes,
saved with `save_pretrained`, loaded by the production loader (`load_motion_model`) from a local
folder as a catalog entry names it, and run on the CPU in seconds."""

from __future__ import annotations

import fnmatch
import itertools
import json
from pathlib import Path

import diffusers
import numpy as np
import pytest
from PIL import Image

from services.compositor.spec import CameraMotion
from services.imagegen.device import SimulatedDevice
from services.imagegen.weights import WeightLocator, WeightStatus, download_patterns
from services.motion.catalog import MotionModelEntry, load_motion_catalog
from services.motion.controls import controls_for
from services.motion.models import PIPELINE_CLASSES, MotionModel, SegmentCall, load_motion_model
from services.motion.tiny import LORA_WEIGHT_NAME, TINY_CAMERA_MOVES, build_tiny_motion
from services.motion.weights import adapter_patterns

CATALOG = load_motion_catalog()
CPU = SimulatedDevice.with_vram(0)


@pytest.fixture(scope="module")
def tiny_folders(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("tiny-motion")
    return {kind: build_tiny_motion(root / kind, kind) for kind in ("ltx", "wan", "animatediff")}


def local_entry(name: str, folder: Path) -> MotionModelEntry:
    """The catalog's real entry with its hub ids swapped for the tiny folders (a local source, as an
    operator may configure), so the real entry's family, controls and defaults are what is exercised."""
    entry = CATALOG.get(name)
    tiny = CATALOG.get(f"tiny-{entry.family}")
    update: dict[str, object] = {"source": str(folder), "dtype": "float32", "defaults": tiny.defaults}
    if entry.family == "animatediff":
        update["motion_adapter"] = str(folder / "motion_adapter")
        update["variant"] = None
        update["camera_loras"] = {move: str(folder / "camera_loras" / move) for move in entry.camera_loras}
    return MotionModelEntry.model_validate({**entry.model_dump(), **update})


def load(entry: MotionModelEntry, tmp_path: Path) -> MotionModel:
    locator = WeightLocator(tmp_path / "models", allow_download=False)
    location = locator.locate(entry)
    assert location.status is WeightStatus.PRESENT, location.detail
    model, _notes = load_motion_model(entry, location, CPU, locator, "auto")
    return model


def keyframe(width: int, height: int) -> Image.Image:
    y, x = np.mgrid[0:height, 0:width]
    return Image.fromarray(np.stack([x * 255 // width, y * 255 // height, (x + y) % 64 * 4], -1).astype(np.uint8))


def render(model: MotionModel, camera: CameraMotion, *, width: int, height: int, frames: int,
           prompt: str = "a harbour at dawn", intensity: float = 0.6, seed: int = 0) -> np.ndarray:
    entry = model.entry
    controls = controls_for(entry, camera, intensity, prompt, "", model.available_loras)
    call = SegmentCall(keyframe(width, height), width, height, frames, entry.defaults.steps, seed, controls,
                       entry.defaults.decode_chunk_size)
    return model.render(call)


def assert_moving_clip(clip: np.ndarray, frames: int, width: int, height: int) -> None:
    assert clip.shape == (frames, height, width, 3) and clip.dtype == np.uint8
    diffs = [np.abs(a.astype(int) - b.astype(int)).mean() for a, b in itertools.pairwise(clip)]
    assert min(diffs) > 0.5, diffs  # consecutive frames differ: it moves


def test_every_family_with_weights_has_its_image_to_video_pipeline_in_this_diffusers() -> None:
    families = {m.family for m in CATALOG.models if m.needs_weights}
    assert families == set(PIPELINE_CLASSES) == {"svd", "ltx", "wan", "animatediff"}
    for family, name in PIPELINE_CLASSES.items():
        assert hasattr(diffusers, name), f"{family}: diffusers {diffusers.__version__} has no {name}"
    # Every real family has a tiny twin (tests, the smoke bench) of the same family.
    tiny = {m.family for m in CATALOG.models if m.builtin}
    assert tiny == families


@pytest.mark.parametrize(("name", "pipeline"), [("ltx-video", "LTXImageToVideoPipeline"),
                                                ("wan-i2v", "WanImageToVideoPipeline")])
def test_prompt_driven_models_make_the_frames_and_size_asked_for(
    tiny_folders: dict[str, Path], tmp_path: Path, name: str, pipeline: str
) -> None:
    entry = local_entry(name, tiny_folders[CATALOG.get(name).family])
    model = load(entry, tmp_path)
    assert type(model.pipe).__name__ == pipeline
    # Not the catalog's default size or frame count: what the request asks for.
    clip = render(model, CameraMotion(move="pan-left"), width=64, height=64, frames=9)
    assert_moving_clip(clip, 9, 64, 64)
    # The prompt (and the camera phrase in it) reaches the text encoder: another prompt, another clip.
    other = render(model, CameraMotion(move="tilt-up"), width=64, height=64, frames=9, prompt="a neon city")
    assert np.abs(clip.astype(int) - other.astype(int)).mean() > 0.1


def test_animatediff_loads_adapter_and_switches_camera_loras(tiny_folders: dict[str, Path], tmp_path: Path) -> None:
    entry = local_entry("animatediff", tiny_folders["animatediff"])
    model = load(entry, tmp_path)
    assert type(model.pipe).__name__ == "AnimateDiffVideoToVideoPipeline"
    assert type(model.pipe.unet).__name__ == "UNetMotionModel"  # the adapter's motion modules are in
    assert model.available_loras == set(entry.camera_loras.values())
    size = {"width": 64, "height": 32, "frames": 4}
    locked = render(model, CameraMotion(move="static"), **size)
    assert_moving_clip(locked, 4, 64, 32)
    assert model.pipe.get_list_adapters() == {}  # a locked-off shot loads no LoRA
    truck = render(model, CameraMotion(move="truck-left"), **size)  # no LoRA of its own: pan-left's
    assert model.pipe.get_list_adapters() == {"unet": ["pan-left"]}
    assert np.abs(truck.astype(int) - locked.astype(int)).mean() > 0.05  # the LoRA acts on the motion modules
    assert np.array_equal(render(model, CameraMotion(move="static"), **size), locked)  # LoRA off again


def test_builtin_tiny_entries_build_and_load_on_demand(tiny_folders: dict[str, Path], tmp_path: Path) -> None:
    """`tiny-ltx` etc. (pinnable, the smoke bench's models) build into the model dir and load from there;
    a builtin entry's adapter and LoRAs are folders inside its built pipeline."""
    locator = WeightLocator(tmp_path / "models", allow_download=False)
    entry = CATALOG.get("tiny-ltx")
    assert locator.locate(entry).status is WeightStatus.BUILDABLE
    model, _notes = load_motion_model(entry, locator.locate(entry), CPU, locator, "auto")
    assert locator.locate(entry).status is WeightStatus.PRESENT
    d = entry.defaults
    assert_moving_clip(render(model, CameraMotion(move="pan-right"), width=d.width, height=d.height,
                              frames=d.num_frames), d.num_frames, d.width, d.height)
    built = WeightLocator(tmp_path / "models", tiny_model_path=tiny_folders["animatediff"], allow_download=False)
    entry = CATALOG.get("tiny-animatediff")
    model, _notes = load_motion_model(entry, built.locate(entry), CPU, built, "auto")
    assert model.available_loras == {f"camera_loras/{move}" for move in TINY_CAMERA_MOVES}
    assert controls_for(entry, CameraMotion(move="tilt-down"), 0.5, "", "", model.available_loras).camera_in_clip


@pytest.mark.parametrize("kind", ["ltx", "wan", "animatediff"])
def test_fetch_patterns_keep_every_file_the_loader_reads(tiny_folders: dict[str, Path], kind: str) -> None:
    """What fetch-models downloads from a real repo of this layout (ImageGen's pipeline patterns, the
    adapter's patterns) covers every file of the tiny pipeline the loader just read."""
    folder = tiny_folders[kind]
    index = json.loads((folder / "model_index.json").read_text())
    patterns = download_patterns(CATALOG.get(f"tiny-{kind}"), index)  # type: ignore[arg-type]
    if kind == "animatediff":
        patterns += [f"motion_adapter/{p}" for p in adapter_patterns(None)]
        patterns.append(f"camera_loras/*/{LORA_WEIGHT_NAME}")
    files = [p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()]
    needed = [f for f in files if "/" in f and not f.startswith("ip_adapter/")]  # the tiny SD's IP-Adapter is unused
    assert needed and [f for f in needed if not any(fnmatch.fnmatch(f, p) for p in patterns)] == []
    if kind == "ltx":  # stored as Lightricks/LTX-Video stores it: converted from spiece.model on load
        assert sorted(p.name for p in (folder / "tokenizer").iterdir()) == ["spiece.model", "tokenizer_config.json"]
