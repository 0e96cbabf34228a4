"""Clients see artifacts by job and name (jobs/{id}/artifacts/{name}), never the store's host paths,
and fetch them with DownloadArtifact by name, kind or that reference."""

from __future__ import annotations

from gateway.main import artifact_links
from gateway.model import ArtifactRecord
from services.common import pb
from services.common.artifacts import FileArtifactStore, S3ArtifactStore
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


def test_with_s3_and_presigning_clients_get_time_limited_urls(tmp_path) -> None:
    """Signing is local (no request is made): the URL names the object and expires; a file store or
    presigning off keeps the job-relative name."""
    import boto3

    client = boto3.client(
        "s3", region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test",
        endpoint_url="https://s3.example.test",
    )
    store = S3ArtifactStore("media", "prod", client=client)
    record = ArtifactRecord("video.mp4", store.uri_for("jobs/abc/video/video.mp4"), "video/mp4", 3, "x", "video")
    url = artifact_links(store, 600)("jobs/abc", record)
    assert url.startswith("https://s3.example.test/media/prod/jobs/abc/video/video.mp4?")
    assert "Expires=" in url or "X-Amz-Expires=600" in url
    assert "video.mp4" in url and "attachment" in url
    assert artifact_links(store, 0)("jobs/abc", record) == "jobs/abc/artifacts/video.mp4"
    assert artifact_links(FileArtifactStore(tmp_path), 600)("jobs/abc", record) == "jobs/abc/artifacts/video.mp4"
