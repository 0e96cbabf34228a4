"""Hostile CreateVideo requests against a running gateway: only OK, INVALID_ARGUMENT, UNAUTHENTICATED or
RESOURCE_EXHAUSTED come back — never INTERNAL or UNKNOWN, a crash or a hang — and the gateway and the
services behind it are SERVING afterwards and still make films.

(ALREADY_EXISTS is also right, but only for a request_id that was sent before with another request.)
"""

from __future__ import annotations

import asyncio
import uuid

import grpc
from hypothesis import HealthCheck, event, given, settings

from services.common import pb
from services.common.server import check_health
from tests.integration.badinput.conftest import API_KEY, MAX_MESSAGE_MB, RunningGateway
from tests.integration.badinput.strategies import create_requests, metadata_for

video = pb.video_pb2
common = pb.common_pb2

ALLOWED = {
    grpc.StatusCode.OK,
    grpc.StatusCode.INVALID_ARGUMENT,
    grpc.StatusCode.UNAUTHENTICATED,
    grpc.StatusCode.RESOURCE_EXHAUSTED,
}
# A hang is a failure: every call gets this long.
CALL_TIMEOUT_S = 10


def _call(gateway: RunningGateway, request: video.CreateVideoRequest, metadata: list[tuple[str, str]]):
    try:
        return grpc.StatusCode.OK, gateway.stub.CreateVideo(request, metadata=metadata, timeout=CALL_TIMEOUT_S)
    except grpc.RpcError as error:
        return error.code(), error


# How many examples: the hypothesis profile decides (tests/conftest.py; `make test` runs "ci").
@settings(
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)
@given(request=create_requests(), metadata=metadata_for(API_KEY))
def test_hostile_create_requests_get_only_expected_codes(
    gateway: RunningGateway, request: video.CreateVideoRequest, metadata: list[tuple[str, str]]
) -> None:
    code, answer = _call(gateway, request, metadata)
    event(f"answered {code.name}")  # --hypothesis-show-statistics shows the mix
    request_id = request.request_id.strip()
    if code == grpc.StatusCode.ALREADY_EXISTS:
        first = gateway.sent.get(request_id)
        assert first is not None and first != request.SerializeToString(deterministic=True), answer
        return
    assert code in ALLOWED, (code, answer.details() if isinstance(answer, grpc.RpcError) else answer)
    if code == grpc.StatusCode.OK:
        gateway.sent.setdefault(request_id, request.SerializeToString(deterministic=True))
        job = answer.job
        assert job.request_id == request_id and job.name == f"jobs/{job.id}"
    elif isinstance(answer, grpc.RpcError):
        # Errors explain themselves and leak nothing of the server.
        details = answer.details() or ""
        assert details and "Traceback" not in details and "/work/" not in details and API_KEY not in details


def test_messages_over_the_size_cap_are_refused(gateway: RunningGateway) -> None:
    over = MAX_MESSAGE_MB * 1024 * 1024 + 1024
    huge_prompt = video.CreateVideoRequest(request_id=str(uuid.uuid4()), prompt="x" * over)
    huge_labels = video.CreateVideoRequest(
        request_id=str(uuid.uuid4()), prompt="a film", labels={f"k{i}": "v" * 1000 for i in range(over // 1000)}
    )
    for request in (huge_prompt, huge_labels):
        code, answer = _call(gateway, request, gateway.auth)
        assert code == grpc.StatusCode.RESOURCE_EXHAUSTED, answer
    # Under the message cap but over the prompt limit: a field violation, not a transport error.
    code, answer = _call(gateway, video.CreateVideoRequest(prompt="y" * 1_000_000), gateway.auth)
    assert code == grpc.StatusCode.INVALID_ARGUMENT and "prompt" in answer.details()


def test_everything_is_serving_and_still_makes_films_afterwards(gateway: RunningGateway) -> None:
    assert asyncio.run(check_health(gateway.target)) == 1  # SERVING
    for name, target in gateway.doubles.targets.items():
        assert target, name
    # The doubles behind the gateway still answer: a normal film goes through every stage.
    request = video.CreateVideoRequest(
        request_id=str(uuid.uuid4()), prompt="after the storm", spec=video.VideoSpec(duration_s=10, scene_count=2)
    )
    events = list(
        gateway.stub.GenerateVideo(video.GenerateVideoRequest(request=request), metadata=gateway.auth, timeout=60)
    )
    final = events[-1].event
    assert final.state == video.JOB_STATE_SUCCEEDED, final.job.error.message
    assert "video.mp4" in {a.name for a in final.job.artifacts}
