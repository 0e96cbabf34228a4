"""The contract is a self-contained module: a fresh clone builds it with buf, plain protoc and no extra step,
the vendored googleapis protos are verbatim copies, and `buf breaking` catches a breaking change."""

from __future__ import annotations

import importlib.resources
import shutil
import subprocess
import sys
from pathlib import Path

from grpc_tools import protoc

ROOT = Path(__file__).resolve().parents[3]
_LOCAL_BUF = Path(sys.executable).with_name("buf")
BUF = str(_LOCAL_BUF if _LOCAL_BUF.exists() else shutil.which("buf"))


def _tracked_copy(dest: Path) -> Path:
    """What a fresh clone holds of the contract: the committed-or-added files under proto/ and buf.yaml."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "proto", "buf.yaml"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout.split()
    for rel in listed:
        (dest / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ROOT / rel, dest / rel)
    return dest


def test_buf_build_works_on_a_fresh_clone_without_build_dir(tmp_path: Path) -> None:
    clone = _tracked_copy(tmp_path / "clone")
    assert not (clone / "build").exists()
    image = tmp_path / "image.binpb"
    done = subprocess.run([BUF, "build", "-o", str(image)], cwd=clone, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (tmp_path / "image.binpb").stat().st_size > 0


def test_plain_protoc_with_only_proto_include_builds_every_file(tmp_path: Path) -> None:
    clone = _tracked_copy(tmp_path / "clone")
    protos = sorted(str(p.relative_to(clone / "proto")) for p in (clone / "proto").rglob("*.proto"))
    assert "google/rpc/error_details.proto" in protos
    well_known = importlib.resources.files("grpc_tools") / "_proto"  # what any protoc install ships
    out = tmp_path / "descriptors.pb"
    rc = protoc.main(["protoc", f"-I{clone / 'proto'}", f"-I{well_known}", f"-o{out}", "--include_imports", *protos])
    assert rc == 0
    assert out.stat().st_size > 0


def test_vendored_googleapis_are_verbatim_with_their_licence() -> None:
    import google.rpc

    wheel = Path(next(iter(google.rpc.__path__)))
    vendored = sorted((ROOT / "proto" / "google" / "rpc").glob("*.proto"))
    assert {p.name for p in vendored} >= {"status.proto", "error_details.proto", "code.proto"}
    for path in vendored:
        text = path.read_text()
        assert "Licensed under the Apache License, Version 2.0" in text, path.name
        assert text == (wheel / path.name).read_text(), f"{path.name} differs from googleapis-common-protos"


def _git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=repo, check=True, capture_output=True
    )


def test_buf_breaking_passes_additions_and_catches_a_changed_field_type(tmp_path: Path) -> None:
    repo = _tracked_copy(tmp_path / "repo")
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "contract")
    proto = repo / "proto" / "cinesynth" / "v1" / "video_service.proto"
    text = proto.read_text()
    tool = [sys.executable, str(ROOT / "tools" / "buf_breaking.py"), "--repo", str(repo), "--against", "HEAD"]

    proto.write_text(text.replace("message GetJobRequest {", "message GetJobRequest {\n  string added_field = 239;"))
    additive = subprocess.run(tool, capture_output=True, text=True)
    assert additive.returncode == 0, additive.stdout + additive.stderr

    proto.write_text(text.replace("string model_used = 18;", "int64 model_used = 18;"))
    breaking = subprocess.run(tool, capture_output=True, text=True)
    assert breaking.returncode != 0
    assert "model_used" in breaking.stdout and "changed type" in breaking.stdout


def test_api_reference_is_current() -> None:
    done = subprocess.run(
        [sys.executable, "tools/api_reference.py", "--check"], cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_api_reference_states_the_limits_of_the_public_request() -> None:
    text = (ROOT / "docs" / "api.md").read_text()
    for needle in ("| `duration_s` | `double` | 1 | 5..600 s", "| `after_sequence` | `int64` | 220 |",
                   "At most 32; a key is 1..63 characters", "32 lowercase hex digits", "1..128 characters"):
        assert needle in text, needle
