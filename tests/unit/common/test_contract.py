"""The contract: committed stubs match a fresh generation, and buf lint (STANDARD) is clean."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from services.common import pb

ROOT = Path(__file__).resolve().parents[3]


def test_committed_stubs_match_a_fresh_generation() -> None:
    done = subprocess.run(
        [sys.executable, "tools/gen_proto.py", "--check"], cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_buf_lint_standard_is_clean() -> None:
    buf = Path(sys.executable).with_name("buf")
    if not buf.exists():
        buf = Path(shutil.which("buf") or "")
    assert buf.is_file(), "buf (PyPI buf-bin) is part of the dev extra"
    done = subprocess.run([str(buf), "lint"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize(
    ("module", "service", "methods"),
    [
        (pb.video_pb2, "VideoService",
         {"CreateVideo", "GetJob", "ListJobs", "CancelJob", "WatchJob", "GenerateVideo", "DownloadArtifact"}),
        (pb.storyboard_pb2, "StoryboardService", {"CreateStoryboard"}),
        (pb.imagegen_pb2, "ImageGenService", {"GenerateKeyframes", "GetNodeInfo"}),
        (pb.audio_pb2, "AudioService", {"CreateSoundtrack", "AnalyzeMusic"}),
        (pb.compositor_pb2, "CompositorService", {"ComposeVideo"}),
    ],
)
def test_services_expose_the_designed_methods(module, service: str, methods: set[str]) -> None:
    descriptor = module.DESCRIPTOR.services_by_name[service]
    assert methods <= {m.name for m in descriptor.methods}
    assert descriptor.full_name == f"cinesynth.v1.{service}"


def test_job_resource_carries_what_the_design_requires() -> None:
    fields = set(pb.video_pb2.Job.DESCRIPTOR.fields_by_name)
    assert {"name", "state", "stage", "progress", "timings", "artifacts", "warnings", "error", "storyboard"} <= fields
    assert pb.video_pb2.Job.DESCRIPTOR.fields_by_name["error"].message_type.full_name == "google.rpc.Status"
    artifact = set(pb.common_pb2.Artifact.DESCRIPTOR.fields_by_name)
    assert {"uri", "mime_type", "size_bytes", "sha256"} <= artifact
    assert "request_id" in pb.video_pb2.CreateVideoRequest.DESCRIPTOR.fields_by_name
    assert {"page_size", "page_token"} <= set(pb.video_pb2.ListJobsRequest.DESCRIPTOR.fields_by_name)


def test_every_enum_starts_with_unspecified() -> None:
    for module in (pb.common_pb2, pb.video_pb2, pb.imagegen_pb2, pb.audio_pb2, pb.compositor_pb2, pb.storyboard_pb2):
        for enum in module.DESCRIPTOR.enum_types_by_name.values():
            assert enum.values[0].number == 0
            assert enum.values[0].name.endswith("_UNSPECIFIED"), enum.full_name


def test_configuration_reference_is_current() -> None:
    done = subprocess.run(
        [sys.executable, "tools/config_reference.py", "--check"], cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr
