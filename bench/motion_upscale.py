"""Motion (image-to-video) and upscale benchmarks: seconds per clip / per frame and peak VRAM, per model
and size, through the production loaders (services/motion). `make bench-motion`, `make bench-upscale`.

    python bench/motion_upscale.py motion  [--models svd-xt ltx-video] [--sizes 1024x576 768x512] [--smoke]
    python bench/motion_upscale.py upscale [--methods realesrgan ldm lanczos] [--sizes 512x288] [--smoke]

`--smoke` runs the tiny random pipelines of every motion family (tiny-svd, tiny-ltx, tiny-wan,
tiny-animatediff) and the tiny LDM SR on the CPU (the code path, not the figures); without it the
catalog's real weights are loaded from CINESYNTH_MODEL_DIR (`cinesynth-motion fetch-models` fills it)
on CUDA. One JSON line per case: model, pipeline class, size, frames, load seconds, seconds per clip
(median of --runs after one warm-up), per-frame seconds, peak VRAM (GiB; 0 on CPU), and the machine's
load average so CPU figures under load are read as such.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from services.compositor.spec import CameraMotion
from services.imagegen.device import TorchDevice
from services.imagegen.weights import WeightLocator
from services.motion.catalog import load_motion_catalog
from services.motion.clips import fit_image, model_size
from services.motion.controls import controls_for
from services.motion.models import SegmentCall, load_motion_model
from services.motion.tiny import build_tiny_ldm_sr
from services.motion.upscale import LdmUpscaler, RealEsrganUpscaler, Upscaler


def _size(text: str) -> tuple[int, int]:
    w, _, h = text.partition("x")
    return int(w), int(h)


def _keyframe(width: int, height: int) -> Image.Image:
    """A structured test picture (gradients and edges), not noise: upscalers and SVD behave as on real frames."""
    y, x = np.mgrid[0:height, 0:width]
    checker = ((x // 16 + y // 16) % 2) * 200
    rgb = np.stack([x * 255 // max(1, width - 1), y * 255 // max(1, height - 1), checker], -1)
    return Image.fromarray(rgb.astype(np.uint8))


def _timed(fn, runs: int, device: TorchDevice) -> tuple[float, float]:
    fn()  # warm-up (allocator, kernels, lazy loads)
    device.reset_peak()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), device.peak_bytes() / 1024**3


def bench_motion(args: argparse.Namespace, device: TorchDevice) -> None:
    catalog = load_motion_catalog()
    smoke_models = [m.name for m in catalog.models if m.builtin]
    names = args.models or (smoke_models if args.smoke else ["svd-xt"])
    model_dir = Path(os.environ.get("CINESYNTH_MODEL_DIR", "run/models"))
    # Smoke: the tiny pipelines are built into a scratch folder, not the model cache.
    locator = WeightLocator(Path(tempfile.mkdtemp(prefix="bench-motion-")) if args.smoke else model_dir,
                            allow_download=False)
    for name in names:
        entry = catalog.get(name)
        started = time.perf_counter()
        model, _notes = load_motion_model(entry, locator.locate(entry), device, locator, "auto")
        load_seconds = time.perf_counter() - started
        sizes = [_size(s) for s in args.sizes] if args.sizes else [(entry.defaults.width, entry.defaults.height)]
        for width, height in sizes:
            w, h = model_size(width, height, width, height, width, height, model.size_step)
            call = SegmentCall(
                image=fit_image(_keyframe(w, h), w, h), width=w, height=h, num_frames=entry.defaults.num_frames,
                steps=entry.defaults.steps, seed=0,
                controls=controls_for(entry, CameraMotion(move="dolly-in"), 0.5, "a harbour at dawn", "",
                                      model.available_loras),
                decode_chunk_size=entry.defaults.decode_chunk_size,
            )
            seconds, peak = _timed(functools.partial(model.render, call), args.runs, device)
            print(json.dumps({
                "bench": "motion", "model": name, "pipeline": type(model.pipe).__name__, "size": f"{w}x{h}",
                "frames": call.num_frames, "steps": call.steps, "camera_lora": call.controls.camera_lora,
                "load_seconds": round(load_seconds, 2), "seconds_per_clip": round(seconds, 3),
                "seconds_per_frame": round(seconds / call.num_frames, 4), "peak_vram_gib": round(peak, 2),
                "device": device.torch_device, "memory_savers": model.memory_savers,
                "load_avg_1m": round(os.getloadavg()[0], 2),
            }), flush=True)
        model.close()


def bench_upscale(args: argparse.Namespace, device: TorchDevice) -> None:
    methods = args.methods or (["realesrgan", "ldm", "lanczos"])
    sizes = [_size(s) for s in args.sizes] if args.sizes else ([(128, 64)] if args.smoke else [(768, 320)])
    for method in methods:
        try:
            if method == "realesrgan":
                upscaler: Upscaler = RealEsrganUpscaler(args.realesrgan_model, args.gpu_id)
            elif method == "ldm":
                source = (str(build_tiny_ldm_sr(Path(tempfile.mkdtemp()) / "ldm")) if args.smoke
                          else args.ldm_source)
                upscaler = LdmUpscaler(source, device, 2 if args.smoke else args.ldm_steps)
            else:
                upscaler = Upscaler()
        except Exception as exc:  # report what cannot run here, and go on with the others
            print(json.dumps({"bench": "upscale", "method": method, "error": f"{type(exc).__name__}: {exc}"[:300]}))
            continue
        for width, height in sizes:
            image = _keyframe(width, height)
            target = (width * 4, height * 4)
            seconds, peak = _timed(functools.partial(upscaler.enlarge, image, *target), args.runs, device)
            print(json.dumps({
                "bench": "upscale", "method": method, "model": upscaler.model, "from": f"{width}x{height}",
                "to": f"{target[0]}x{target[1]}", "seconds_per_frame": round(seconds, 3),
                "peak_vram_gib": round(peak, 2), "device": device.torch_device,
                "load_avg_1m": round(os.getloadavg()[0], 2),
            }), flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=["motion", "upscale"])
    parser.add_argument("--smoke", action="store_true", help="tiny random models on the CPU (code path only)")
    parser.add_argument("--models", nargs="+", help="motion catalog entries (default svd-xt; --smoke: every tiny-*)")
    parser.add_argument("--methods", nargs="+", choices=["realesrgan", "ldm", "lanczos"])
    parser.add_argument("--sizes", nargs="+", help="WxH (motion: clip size; upscale: source size, x4 target)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--realesrgan-model", type=int, default=0, help="0/1/2 animevideov3 x2/x3/x4, 3, 4 x4plus")
    parser.add_argument("--gpu-id", type=int, default=-1, help="Vulkan GPU for Real-ESRGAN (-1 = CPU)")
    parser.add_argument("--ldm-source", default="CompVis/ldm-super-resolution-4x-openimages")
    parser.add_argument("--ldm-steps", type=int, default=50)
    args = parser.parse_args(argv)
    device = TorchDevice("cpu" if args.smoke else args.device)
    (bench_motion if args.what == "motion" else bench_upscale)(args, device)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
