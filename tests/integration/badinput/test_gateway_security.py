"""The public API under attack: path traversal through job and artifact names, a compromised service
reporting files outside the store, SSRF through callback URLs in disguise, API keys in logs, response
chunk sizes."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from pathlib import Path

import grpc
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gateway.auth import hash_key
from services.common import pb
from services.common.artifacts import FileArtifactStore
from services.common.server import create_server
from tests.integration.badinput.conftest import API_KEY, RunningGateway
from tests.integration.badinput.strategies import TEXT
from tests.integration.gateway.conftest import gateway_settings, running_gateway
from tests.integration.gateway.doubles import FakeCompositor, running_doubles
from tests.unit.security.test_callback_ssrf import DISGUISED_INSIDE

video = pb.video_pb2
common = pb.common_pb2

TRAVERSAL_NAMES = st.one_of(
    st.sampled_from([
        "../jobs.db", "../../etc/passwd", "/etc/passwd", "keyframes/../../jobs.db", "video.mp4/../../x",
        "file:///etc/passwd", "%2e%2e/jobs.db", "..\\..\\jobs.db", "video.mp4\x00.png", "keyframes/", ".", "",
    ]),
    TEXT,
)


@pytest.fixture(scope="module")
def finished_job(gateway: RunningGateway) -> video.Job:
    request = video.CreateVideoRequest(
        request_id=str(uuid.uuid4()), prompt="a heist in a library", spec=video.VideoSpec(duration_s=10, scene_count=2)
    )
    stream = gateway.stub.GenerateVideo(video.GenerateVideoRequest(request=request), metadata=gateway.auth, timeout=60)
    job = list(stream)[-1].event.job
    assert job.state == video.JOB_STATE_SUCCEEDED, job.error.message
    return job


def _code(call: Callable[[], object]) -> grpc.StatusCode:
    try:
        result = call()
        if isinstance(result, grpc.Call):  # a response stream: read it to the end
            list(result)  # type: ignore[call-overload]
    except grpc.RpcError as error:
        return error.code()
    return grpc.StatusCode.OK


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(artifact=TRAVERSAL_NAMES, kind=st.integers(-5, 40), chunk=st.integers(-(2**31), 2**31 - 1))
def test_artifact_names_cannot_reach_other_files(
    gateway: RunningGateway, finished_job: video.Job, artifact: str, kind: int, chunk: int
) -> None:
    known = {a.name for a in finished_job.artifacts}
    request = video.DownloadArtifactRequest(name=finished_job.name, artifact=artifact, kind=kind, chunk_size=chunk)
    code = _code(lambda: gateway.stub.DownloadArtifact(request, metadata=gateway.auth, timeout=10))
    if artifact in known or (not artifact and 0 < kind <= 12 and chunk >= 0):
        assert code in (grpc.StatusCode.OK, grpc.StatusCode.NOT_FOUND, grpc.StatusCode.INVALID_ARGUMENT), code
    else:
        assert code in (grpc.StatusCode.NOT_FOUND, grpc.StatusCode.INVALID_ARGUMENT), (artifact, code)


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.one_of(TRAVERSAL_NAMES, st.builds(lambda t: f"jobs/{t}", TRAVERSAL_NAMES)))
def test_job_names_cannot_reach_other_records(gateway: RunningGateway, name: str) -> None:
    for call in (
        lambda: gateway.stub.GetJob(video.GetJobRequest(name=name), metadata=gateway.auth, timeout=10),
        lambda: gateway.stub.CancelJob(video.CancelJobRequest(name=name), metadata=gateway.auth, timeout=10),
        lambda: gateway.stub.WatchJob(video.WatchJobRequest(name=name), metadata=gateway.auth, timeout=10),
    ):
        assert _code(call) in (grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.NOT_FOUND)


def test_downloads_come_in_chunks_under_the_message_cap(gateway: RunningGateway, finished_job: video.Job) -> None:
    request = video.DownloadArtifactRequest(name=finished_job.name, artifact="video.mp4", chunk_size=2**31 - 1)
    chunks = list(gateway.stub.DownloadArtifact(request, metadata=gateway.auth, timeout=10))
    assert chunks and all(len(c.data) <= 4 * 1024 * 1024 for c in chunks)


@pytest.mark.parametrize("url", DISGUISED_INSIDE)
def test_callbacks_to_the_inside_in_disguise_are_refused(gateway: RunningGateway, url: str) -> None:
    request = video.CreateVideoRequest(request_id=str(uuid.uuid4()), prompt="a film", callback_url=url)
    with pytest.raises(grpc.RpcError) as raised:
        gateway.stub.CreateVideo(request, metadata=gateway.auth, timeout=10)
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "callback_url" in raised.value.details()


def test_api_keys_never_reach_logs_or_errors(gateway: RunningGateway, caplog: pytest.LogCaptureFixture) -> None:
    wrong = "sk-live-THIS-IS-A-WRONG-KEY-0000"
    caplog.set_level(logging.DEBUG)
    details: list[str] = []
    for key in (API_KEY, wrong, f"{API_KEY}x"):
        metadata = [("authorization", f"Bearer {key}")]
        for call in (
            lambda m=metadata: gateway.stub.CreateVideo(
                video.CreateVideoRequest(request_id=str(uuid.uuid4()), prompt="a film",
                                         spec=video.VideoSpec(duration_s=5, scene_count=1)),
                metadata=m, timeout=10,
            ),
            lambda m=metadata: gateway.stub.GetJob(
                video.GetJobRequest(name="jobs/" + "0" * 32), metadata=m, timeout=10
            ),
        ):
            try:
                call()
            except grpc.RpcError as error:
                details.append(f"{error.details()} {error.trailing_metadata()}")
    assert any("invalid API key" in d for d in details)
    logged = "\n".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)
    assert caplog.records, "the gateway logged nothing at all: the check would prove nothing"
    for secret in (API_KEY, wrong, hash_key(API_KEY), hash_key(wrong)):
        assert secret not in logged, "an API key (or its hash) reached the logs"
        assert all(secret not in d for d in details), "an API key reached an error"


class CompromisedCompositor(FakeCompositor):
    """Reports a 'video' that is really a file outside the artifact store."""

    def __init__(self, store: FileArtifactStore, outside: Path) -> None:
        super().__init__(store)
        self.outside = outside

    async def ComposeVideo(self, request, context):
        video_artifact = common.Artifact(
            name="video.mp4", uri=self.outside.as_uri(), mime_type="video/mp4",
            size_bytes=self.outside.stat().st_size, kind=common.ARTIFACT_KIND_VIDEO,
        )
        yield pb.compositor_pb2.ComposeVideoResponse(
            result=pb.compositor_pb2.ComposeResult(video=video_artifact, frame_count=1, fps=request.fps)
        )


async def test_a_compromised_service_cannot_make_the_gateway_serve_outside_files(tmp_path: Path) -> None:
    secret = tmp_path / "secret.mp4"
    secret.write_bytes(b"not for clients")
    store = FileArtifactStore(tmp_path / "artifacts")
    async with running_doubles(store) as doubles:
        server, port = create_server("127.0.0.1:0")
        pb.compositor_grpc.add_CompositorServiceServicer_to_server(CompromisedCompositor(store, secret), server)
        await server.start()
        try:
            settings_ = gateway_settings(tmp_path, doubles, compositor_target=f"127.0.0.1:{port}")
            async with running_gateway(settings_) as gateway:
                job = await gateway.wait((await gateway.create()).name)
                assert job.state == video.JOB_STATE_FAILED
                assert "video.mp4 is not in the artifact store" in job.error.message, job.error.message
                assert "video.mp4" not in {a.name for a in job.artifacts}
                request = video.DownloadArtifactRequest(name=job.name, kind=common.ARTIFACT_KIND_VIDEO)
                with pytest.raises(grpc.aio.AioRpcError) as raised:
                    async for _ in gateway.stub.DownloadArtifact(request):
                        pass
                assert raised.value.code() == grpc.StatusCode.NOT_FOUND
        finally:
            await server.stop(0)
