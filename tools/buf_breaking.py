"""`buf breaking` of proto/ against an earlier commit (default: the merge base with main, else HEAD~1).

buf's own `.git#ref=` input reads the old commit's buf.yaml, and commits from before the googleapis
protos were vendored point at a module that only existed after `make proto-deps`; so the old
`proto/` tree is exported with `git archive`, the vendored google/ protos are added where it lacks
them (they are not ours to break), built into an image, and compared with the working tree.

    python tools/buf_breaking.py              # against merge-base(HEAD, main) or HEAD~1
    python tools/buf_breaking.py --against REF
"""

from __future__ import annotations

import argparse
import io
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROTO = "proto"
VENDORED = Path(PROTO) / "google"


def _git(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True)


def _resolves(repo: Path, ref: str) -> bool:
    return _git(repo, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}").returncode == 0


def default_against(repo: Path) -> str | None:
    """The merge base with main on a branch; the previous commit on main itself; None on a first commit."""
    head = _git(repo, "rev-parse", "HEAD").stdout.strip()
    for main in ("main", "origin/main"):
        if _resolves(repo, main):
            base = _git(repo, "merge-base", "HEAD", main).stdout.strip()
            if base and base != head:
                return base
    return "HEAD~1" if _resolves(repo, "HEAD~1") else None


def buf_binary() -> str:
    local = Path(sys.executable).with_name("buf")
    found = str(local) if local.exists() else shutil.which("buf")
    if not found:
        raise SystemExit("buf not found (PyPI buf-bin is part of the dev extra)")
    return found


def export_proto(repo: Path, ref: str, dest: Path) -> Path:
    archive = subprocess.run(["git", "archive", "--format=tar", ref, PROTO], cwd=repo, capture_output=True)
    if archive.returncode != 0:
        raise SystemExit(f"git archive {ref} {PROTO} failed: {archive.stderr.decode(errors='replace').strip()}")
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(dest, filter="data")
    old = dest / PROTO
    for path in (repo / VENDORED).rglob("*.proto"):
        target = old / path.relative_to(repo / PROTO)
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
    return old


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", help="git ref to compare with (default: merge base with main, else HEAD~1)")
    parser.add_argument("--repo", type=Path, default=ROOT, help="repository root (default: this checkout)")
    args = parser.parse_args(argv)
    repo = args.repo.resolve()
    ref = args.against or default_against(repo)
    if ref is None:
        print("buf breaking: no earlier commit to compare with; skipped")
        return 0
    if not _resolves(repo, ref):
        raise SystemExit(f"buf breaking: git ref {ref!r} does not resolve (a shallow clone? fetch more history)")
    buf = buf_binary()
    with tempfile.TemporaryDirectory() as tmp:
        old = export_proto(repo, ref, Path(tmp))
        image = Path(tmp) / "against.binpb"
        built = subprocess.run([buf, "build", str(old), "-o", str(image)], cwd=tmp, capture_output=True, text=True)
        if built.returncode != 0:
            raise SystemExit(f"buf build of {ref}:{PROTO} failed:\n{built.stdout}{built.stderr}")
        done = subprocess.run(
            [buf, "breaking", "--against", str(image), "--exclude-path", str(VENDORED)],
            cwd=repo, capture_output=True, text=True,
        )
    sys.stdout.write(done.stdout + done.stderr)
    print(f"buf breaking against {ref}: {'clean' if done.returncode == 0 else 'BREAKING CHANGES'}")
    return done.returncode


if __name__ == "__main__":
    sys.exit(main())
