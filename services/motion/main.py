"""`cinesynth-motion`: serves the MotionService and/or UpscaleService on the shared runtime.

cinesynth-motion [serve]                          # the gRPC server (roles: CINESYNTH_MOTION_ROLES)
cinesynth-motion plan --vram-gb 12 --assume-weights   # which motion model this node would load, and why
cinesynth-motion fetch-models [--vram-gb 16] [--models ltx-video ...] [--dry-run]   # fill CINESYNTH_MODEL_DIR
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from pydantic import ValidationError

from services.common import pb
from services.common.artifacts import ArtifactStore, open_store
from services.common.entrypoint import Command, serve_cli
from services.common.server import Service
from services.imagegen.catalog import CatalogError
from services.imagegen.device import Device, SimulatedDevice, TorchDevice
from services.imagegen.selection import SelectionError
from services.imagegen.weights import WeightLocator
from services.motion.catalog import MotionModelEntry, MotionTier, load_motion_catalog
from services.motion.selection import select_motion_model
from services.motion.settings import MotionSettings
from services.motion.weights import Download, plan_fetch, run_fetch

PROG = "cinesynth-motion"


def build_service(
    settings: MotionSettings, *, device: Device | None = None, store: ArtifactStore | None = None
) -> Service:
    """The motion worker: MotionService and/or UpscaleService by `motion_roles`; tests inject a device/store."""
    from services.motion.core import MotionCore
    from services.motion.servicer import MotionServicer
    from services.motion.upscale import UpscaleCore
    from services.motion.upscale_servicer import UpscaleServicer

    store = store or open_store(
        settings.artifact_store, endpoint_url=settings.s3_endpoint_url, region=settings.s3_region
    )
    device = device or TorchDevice(settings.motion_device)
    motion_core = MotionCore(settings, store=store, device=device) if "motion" in settings.motion_roles else None
    upscale_core = UpscaleCore(settings, store=store, device=device) if "upscale" in settings.motion_roles else None
    names = ([pb.MOTION_SERVICE] if motion_core else []) + ([pb.UPSCALE_SERVICE] if upscale_core else [])

    def register(server: object) -> None:
        if motion_core is not None:
            pb.motion_grpc.add_MotionServiceServicer_to_server(MotionServicer(motion_core), server)
        if upscale_core is not None:
            pb.upscale_grpc.add_UpscaleServiceServicer_to_server(UpscaleServicer(upscale_core), server)

    async def start() -> None:
        # Health stays NOT_SERVING until the motion model is loaded and the upscaler chosen.
        if motion_core is not None:
            await motion_core.start()
        if upscale_core is not None:
            await upscale_core.start()

    async def stop() -> None:
        if motion_core is not None:
            await motion_core.stop()

    return Service(
        name="motion", service_names=names, register=register, start=start, stop=stop,
        extra={"core": motion_core, "upscale": upscale_core},
    )


def _configure_plan(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--vram-gb", type=float, default=None, help="plan for a GPU of this size (0 = CPU only)")
    parser.add_argument("--catalog", type=Path, default=None, help="motion catalog YAML (default: packaged)")
    parser.add_argument("--model", default=None, help="pin a motion catalog entry by name")
    parser.add_argument("--assume-weights", action="store_true", help="treat all weights as present")


def run_plan(args: argparse.Namespace) -> int:
    """Print the motion model selection as JSON without loading any weights."""
    try:
        overrides = {k: v for k, v in (("motion_catalog", args.catalog), ("motion_model", args.model)) if v}
        settings = MotionSettings(**overrides)
        catalog = load_motion_catalog(settings.motion_catalog)
        device: Device = (
            SimulatedDevice.with_vram(args.vram_gb, name=f"planned {args.vram_gb:g} GiB")
            if args.vram_gb is not None else TorchDevice(settings.motion_device)
        )
        locator = WeightLocator(settings.model_dir, tiny_model_path=settings.tiny_model_path,
                                allow_download=settings.allow_download, assume_present=args.assume_weights)
        plan = select_motion_model(
            catalog, device.info(), locator, reserve_gb=settings.vram_reserve_gb, pinned=settings.motion_model,
            max_tier=MotionTier(settings.motion_max_tier) if settings.motion_max_tier else None,
        )
    except (CatalogError, SelectionError, ValidationError, ValueError) as exc:
        print(f"{PROG} plan: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(plan.to_json(), indent=2))
    return 0


def _configure_fetch(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--vram-gb", type=float, default=None, help="plan for a GPU of this size (0 = CPU only)")
    parser.add_argument("--catalog", type=Path, default=None, help="motion catalog YAML (default: packaged)")
    parser.add_argument("--model-dir", type=Path, default=None, help="weights folder (CINESYNTH_MODEL_DIR)")
    parser.add_argument("--models", nargs="+", default=None, help="motion catalog entries (default: the plan's)")
    parser.add_argument("--all", action="store_true", help="every automatically selectable motion entry")
    parser.add_argument("--dry-run", action="store_true", help="print what would be fetched; no network")


def fetch_plan(args: argparse.Namespace) -> tuple[WeightLocator, list[MotionModelEntry], list[Download]]:
    """What `fetch-models` fetches on this node: the motion model it would select (or the named ones)
    with AnimateDiff's adapter and camera LoRAs, and the LDM upscaler where the upscaler would pick it."""
    overrides = {k: v for k, v in (("motion_catalog", args.catalog), ("model_dir", args.model_dir)) if v}
    settings = MotionSettings(**overrides)
    catalog = load_motion_catalog(settings.motion_catalog)
    locator = WeightLocator(settings.model_dir, tiny_model_path=settings.tiny_model_path, allow_download=True)
    device: Device = (
        SimulatedDevice.with_vram(args.vram_gb, name=f"planned {args.vram_gb:g} GiB")
        if args.vram_gb is not None else TorchDevice(settings.motion_device)
    )
    entries: list[MotionModelEntry] = []
    if "motion" in settings.motion_roles:
        if args.all:
            entries = [m for m in catalog.models if m.auto_select and m.needs_weights]
        elif args.models:
            entries = [catalog.get(name) for name in args.models]
        else:
            # The model this node will select once its weights are there: plan as if they were.
            planner = WeightLocator(settings.model_dir, tiny_model_path=settings.tiny_model_path, assume_present=True)
            plan = select_motion_model(
                catalog, device.info(), planner, reserve_gb=settings.vram_reserve_gb, pinned=settings.motion_model,
                max_tier=MotionTier(settings.motion_max_tier) if settings.motion_max_tier else None,
            )
            entries = [plan.entry] if plan.entry.needs_weights else []  # type: ignore[list-item]
    from services.motion.upscale import LDM, upscaler_order

    upscaler = None
    if "upscale" in settings.motion_roles and LDM in upscaler_order(settings.upscale_method, device.kind):
        upscaler = settings.upscale_ldm_source
    return locator, entries, plan_fetch(entries, locator, upscaler_source=upscaler)


def run_fetch_models(args: argparse.Namespace) -> int:
    """Download the motion and upscale weights this node needs into the model dir (a pool's init step)."""
    try:
        locator, entries, plan = fetch_plan(args)
    except (CatalogError, SelectionError, ValidationError, KeyError, ValueError) as exc:
        print(f"{PROG} fetch-models: {exc}", file=sys.stderr)
        return 2
    report: dict[str, object] = {"model_dir": str(locator.model_dir), "plan": [d.to_json() for d in plan]}
    if not args.dry_run:
        try:
            report["fetched"] = [str(p) for p in run_fetch(plan, entries, locator)]
        except Exception as exc:  # a network or disk failure: report it and fail the step
            print(f"{PROG} fetch-models: {type(exc).__name__}: {exc}", file=sys.stderr)
            return 1
    print(json.dumps(report, indent=2))
    return 0


COMMANDS = {
    "plan": Command(help="print the motion model this node would select, and why (JSON)",
                    configure=_configure_plan, run=run_plan),
    "fetch-models": Command(help="download the motion / upscale weights this node needs into CINESYNTH_MODEL_DIR",
                            configure=_configure_fetch, run=run_fetch_models),
}


def main(argv: Sequence[str] | None = None) -> int:
    return serve_cli(argv, prog=PROG, settings_cls=MotionSettings, build=build_service, commands=COMMANDS,
                     description="Image-to-video and upscaling worker with VRAM-aware model selection.")


if __name__ == "__main__":
    raise SystemExit(main())
