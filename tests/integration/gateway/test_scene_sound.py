"""Scene sound through the gateway: the switch and each scene's sound reach the audio service;
the sound credits and layer levels it returns land on the job (and survive the job store)."""

from __future__ import annotations

import grpc
import pytest

from services.common import pb
from services.common.errors import field_violations
from tests.integration.gateway.conftest import Gateway
from tests.integration.gateway.doubles import Doubles

video = pb.video_pb2
common = pb.common_pb2


async def test_switch_and_scene_sound_go_to_the_audio_service_and_credits_come_back(
    gateway: Gateway, doubles: Doubles
) -> None:
    sound = common.SceneSound(ambience="rain", effects=[common.SceneSoundEffect(description="thunder", at_s=2.0)])
    scenes = [
        common.Scene(index=0, visual_prompt="a harbour in the rain", narration="It rains.", duration_s=4.0,
                     sound=sound),
        common.Scene(index=1, visual_prompt="a quiet room", narration="Silence.", duration_s=4.0),
    ]
    created = await gateway.stub.CreateVideo(video.CreateVideoRequest(
        storyboard=common.Storyboard(title="mine", scenes=scenes),
        spec=video.VideoSpec(scene_sound=common.SCENE_SOUND_MODE_AMBIENCE),
    ))
    assert created.job.spec.scene_sound == common.SCENE_SOUND_MODE_AMBIENCE
    final = await gateway.wait(created.job.name)
    assert final.state == video.JOB_STATE_SUCCEEDED
    # The client's sound reached the storyboard service, then the soundtrack request, with the switch.
    assert doubles.storyboard.requests[0].storyboard.scenes[0].sound == sound
    request = doubles.audio.requests[0]
    assert request.scene_sound == common.SCENE_SOUND_MODE_AMBIENCE
    assert request.scenes[0].sound == sound and not request.scenes[1].HasField("sound")
    # Credits and levels on the job, read back from the store.
    job = (await gateway.stub.GetJob(video.GetJobRequest(name=final.name))).job
    assert [(c.sound_id, c.license, list(c.scene_indexes)) for c in job.sound_credits] == \
        [("builtin/rain", "CC0-1.0", [0])]
    assert [(level.layer, level.rms_dbfs) for level in job.sound_levels] == [("voice", -18.0)]
    assert job.storyboard.scenes[0].sound == sound


async def test_an_unknown_scene_sound_mode_is_invalid_argument(gateway: Gateway) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await gateway.stub.CreateVideo(video.CreateVideoRequest(
            prompt="a storm", spec=video.VideoSpec(scene_sound=42)
        ))
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "spec.scene_sound" in [v.field for v in field_violations(caught.value)]
