"""Clients see artifacts by job and name (jobs/{id}/artifacts/{name}), never the store's host paths,
and fetch them with DownloadArtifact by name, kind or that reference."""

from __future__ import annotations

from services.common import pb
from tests.integration.gateway.conftest import Gateway
from tests.integration.gateway.doubles import MP4_BYTES

video = pb.video_pb2
common = pb.common_pb2


async def test_artifact_references_name_the_job_and_download_by_them(gateway: Gateway, tmp_path) -> None:
    done = await gateway.wait((await gateway.create()).name)
    assert done.state == video.JOB_STATE_SUCCEEDED
    listed = (await gateway.stub.ListJobs(video.ListJobsRequest())).jobs[0]
    for job in (done, listed):
        assert job.artifacts
        for artifact in job.artifacts:
            assert artifact.uri == f"{job.name}/artifacts/{artifact.name}"
            assert "file:" not in artifact.uri and str(tmp_path) not in artifact.uri
    video_ref = next(a.uri for a in done.artifacts if a.kind == common.ARTIFACT_KIND_VIDEO)
    request = video.DownloadArtifactRequest(name=done.name, artifact=video_ref)
    chunks = [r async for r in gateway.stub.DownloadArtifact(request)]
    assert b"".join(c.data for c in chunks) == MP4_BYTES
    assert chunks[0].artifact.uri == video_ref
