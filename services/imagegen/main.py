"""`cinesynth-imagegen`: serves the ImageGen service on the shared runtime.

cinesynth-imagegen [serve]                               # the gRPC server (default)
cinesynth-imagegen plan --vram-gb 8 --assume-weights     # which model this node would load, and why
cinesynth-imagegen fetch-models [--models ultra ...]     # download weights into CINESYNTH_MODEL_DIR
cinesynth-imagegen build-tiny [DIR] [--kind sd15|sdxl]   # tiny random pipeline for tests / CPU demos
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
from services.imagegen.catalog import Catalog, CatalogError, ModelEntry, Tier, load_catalog
from services.imagegen.device import Device, SimulatedDevice, TorchDevice
from services.imagegen.selection import SelectionError, SelectionPlan, select_model
from services.imagegen.settings import ImageGenSettings
from services.imagegen.weights import WeightLocator

PROG = "cinesynth-imagegen"


def build_service(
    settings: ImageGenSettings,
    *,
    device: Device | None = None,
    store: ArtifactStore | None = None,
    catalog: Catalog | None = None,
) -> Service:
    """The ImageGen service; tests inject a SimulatedDevice, a store or a catalog."""
    from services.imagegen.core import ImageGenCore
    from services.imagegen.servicer import ImageGenServicer

    store = store or open_store(
        settings.artifact_store, endpoint_url=settings.s3_endpoint_url, region=settings.s3_region
    )
    device = device or TorchDevice(settings.imagegen_device)
    core = ImageGenCore(settings, store=store, device=device, catalog=catalog)
    servicer = ImageGenServicer(core)
    return Service(
        name="imagegen",
        service_names=[pb.IMAGEGEN_SERVICE],
        register=lambda server: pb.imagegen_grpc.add_ImageGenServiceServicer_to_server(servicer, server),
        # Health stays NOT_SERVING until the model is loaded and warmed up.
        start=core.start,
        stop=core.stop,
        extra={"core": core},
    )


# --- subcommands ------------------------------------------------------------------------------


def _settings(args: argparse.Namespace) -> ImageGenSettings:
    overrides: dict[str, object] = {}
    for flag, field in (
        ("catalog", "imagegen_catalog"),
        ("model_dir", "model_dir"),
        ("reserve_gb", "vram_reserve_gb"),
        ("max_tier", "imagegen_max_tier"),
        ("model", "imagegen_model"),
    ):
        value = getattr(args, flag, None)
        if value is not None:
            overrides[field] = value
    return ImageGenSettings(**overrides)


def _selection_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--vram-gb", type=float, default=None, help="plan for a GPU of this size (0 = CPU only)")
    parser.add_argument("--catalog", type=Path, default=None, help="catalog YAML (default: packaged)")
    parser.add_argument("--model-dir", type=Path, default=None, help="weights folder (CINESYNTH_MODEL_DIR)")
    parser.add_argument("--reserve-gb", type=float, default=None, help="working reserve (CINESYNTH_VRAM_RESERVE_GB)")
    parser.add_argument("--max-tier", choices=[t.value for t in Tier], default=None, help="never above this tier")
    parser.add_argument("--model", default=None, help="pin a catalog entry by name")


def _configure_plan(parser: argparse.ArgumentParser) -> None:
    _selection_flags(parser)
    parser.add_argument(
        "--assume-weights", action="store_true", help="treat every model's weights as present (capacity planning)"
    )


def _plan(
    args: argparse.Namespace, *, assume_weights: bool, allow_download: bool | None = None
) -> tuple[ImageGenSettings, Catalog, WeightLocator, SelectionPlan]:
    settings = _settings(args)
    catalog = load_catalog(settings.imagegen_catalog)
    if args.vram_gb is not None:
        device: Device = SimulatedDevice.with_vram(args.vram_gb, name=f"planned {args.vram_gb:g} GiB")
    else:
        device = TorchDevice(settings.imagegen_device)
    locator = WeightLocator(
        settings.model_dir,
        tiny_model_path=settings.tiny_model_path,
        allow_download=settings.allow_download if allow_download is None else allow_download,
        assume_present=assume_weights,
    )
    plan = select_model(
        catalog,
        device.info(),
        locator,
        reserve_gb=settings.vram_reserve_gb,
        pinned=settings.imagegen_model,
        max_tier=Tier(settings.imagegen_max_tier) if settings.imagegen_max_tier else None,
    )
    return settings, catalog, locator, plan


def run_plan(args: argparse.Namespace) -> int:
    """Print the selection as JSON without loading any weights."""
    try:
        plan = _plan(args, assume_weights=args.assume_weights)[3]
    except (CatalogError, SelectionError, ValidationError, ValueError) as exc:
        print(f"{PROG} plan: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(plan.to_json(), indent=2))
    return 0


def _configure_fetch(parser: argparse.ArgumentParser) -> None:
    _selection_flags(parser)
    parser.add_argument("--models", nargs="+", default=None, help="catalog entries to fetch (default: the plan's)")
    parser.add_argument("--all", action="store_true", help="every automatically selectable entry")
    parser.add_argument("--no-ip-adapter", action="store_true", help="skip IP-Adapter weights")


def _entries_to_fetch(args: argparse.Namespace) -> tuple[WeightLocator, list[ModelEntry]]:
    if args.models or args.all:
        settings = _settings(args)
        catalog = load_catalog(settings.imagegen_catalog)
        locator = WeightLocator(settings.model_dir, tiny_model_path=settings.tiny_model_path, allow_download=True)
        if args.all:
            return locator, [m for m in catalog.models if m.auto_select and m.needs_weights]
        return locator, [catalog.get(name) for name in args.models]
    # fetch-models is the explicit online step: plan as a node that may download.
    settings, catalog, locator, plan = _plan(args, assume_weights=False, allow_download=True)
    entries = [plan.entry, *(catalog.get(name) for name in settings.imagegen_fallback_models)]
    return locator, [e for e in entries if e.needs_weights]


def run_fetch(args: argparse.Namespace) -> int:
    """Download the selected (or named) models' weights into the model dir (the k8s init step)."""
    try:
        locator, entries = _entries_to_fetch(args)
    except (CatalogError, SelectionError, ValidationError, KeyError, ValueError) as exc:
        print(f"{PROG} fetch-models: {exc}", file=sys.stderr)
        return 2
    from services.imagegen.weights import fetch

    report = []
    for entry in entries:
        try:
            paths = fetch(entry, locator, ip_adapter=not args.no_ip_adapter)
        except Exception as exc:  # a network or disk failure: report which model and fail the step
            print(f"{PROG} fetch-models: {entry.name}: {type(exc).__name__}: {exc}", file=sys.stderr)
            return 1
        report.append({"model": entry.name, "source": entry.source, "paths": [str(p) for p in paths]})
    print(json.dumps({"model_dir": str(locator.model_dir), "fetched": report}, indent=2))
    return 0


def _configure_build_tiny(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("dir", nargs="?", type=Path, default=None, help="target folder (default: the tiny entry's)")
    parser.add_argument("--kind", choices=["sd15", "sdxl"], default="sd15")
    parser.add_argument("--seed", type=int, default=0)


def run_build_tiny(args: argparse.Namespace) -> int:
    from services.imagegen.tiny import build_tiny

    target = args.dir
    if target is None:
        settings = ImageGenSettings()
        target = WeightLocator(settings.model_dir, tiny_model_path=settings.tiny_model_path).tiny_folder(args.kind)
    path = build_tiny(target, args.kind, seed=args.seed)
    print(json.dumps({"kind": args.kind, "path": str(path)}))
    return 0


COMMANDS = {
    "plan": Command(
        help="print the model this node would select, and why (JSON)", configure=_configure_plan, run=run_plan
    ),
    "fetch-models": Command(
        help="download model weights into CINESYNTH_MODEL_DIR", configure=_configure_fetch, run=run_fetch
    ),
    "build-tiny": Command(
        help="build a tiny random pipeline (tests, CPU demos)", configure=_configure_build_tiny, run=run_build_tiny
    ),
}


def main(argv: Sequence[str] | None = None) -> int:
    return serve_cli(
        argv,
        prog=PROG,
        settings_cls=ImageGenSettings,
        build=build_service,
        commands=COMMANDS,
        description="Keyframe worker with VRAM-aware model selection.",
    )


if __name__ == "__main__":
    raise SystemExit(main())
