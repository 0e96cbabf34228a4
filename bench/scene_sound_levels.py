"""Loudness and layer levels of soundtracks with scene sound (`make bench-scene-sound`).

One in-process AudioService (the real servicer on the shared runtime, port 0) renders the same
four-scene, 20 s soundtrack with scene sound off / ambience / full, with Piper narration and with
none, over the procedural score; prints the integrated loudness and true peak of each mix, the
active RMS of each layer (voice, music, ambience, effects) and the sounds the library chose.
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from grpc import aio

from services.audio.main import build_service
from services.audio.settings import AudioSettings
from services.common import pb
from services.common.server import ServiceRuntime

a, c = pb.audio_pb2, pb.common_pb2
SCENES = [
    ("The storm reaches the harbour at night.", "rain on glass", [("distant thunder", 2.0)]),
    (
        "In the tavern, the fire crackles while sailors talk.",
        "a crackling fire in a crowded tavern",
        [("a door slams", 1.5)],
    ),
    (
        "At dawn she walks the empty street.",
        "city traffic at dawn",
        [("footsteps on stone", 0.5), ("a dog barks", 3.0)],
    ),
    ("The ship leaves as the gulls cry.", "waves on the shore and seagulls", [("a ship's bell", 1.0)]),
]


async def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="cinesynth-scene-sound-"))
    s = AudioSettings(host="127.0.0.1", port=0, metrics_port=None, artifact_store=(tmp / "store").as_uri())
    rt = ServiceRuntime(s, build_service(s))
    await rt.start()
    try:
        async with aio.insecure_channel(f"127.0.0.1:{rt.port}") as ch:
            stub = pb.audio_grpc.AudioServiceStub(ch)
            for voice in ("piper", "none"):
                for mode in (c.SCENE_SOUND_MODE_OFF, c.SCENE_SOUND_MODE_AMBIENCE, c.SCENE_SOUND_MODE_FULL):
                    scenes = [
                        a.SoundtrackScene(
                            index=i,
                            narration=n if voice != "none" else "",
                            duration_s=5.0,
                            sound=c.SceneSound(
                                ambience=amb, effects=[c.SceneSoundEffect(description=d, at_s=t) for d, t in fx]
                            ),
                        )
                        for i, (n, amb, fx) in enumerate(SCENES)
                    ]
                    r = await stub.CreateSoundtrack(
                        a.CreateSoundtrackRequest(
                            scenes=scenes,
                            total_duration_s=20.0,
                            voice=c.VoiceOptions(voice=voice),
                            music_source=c.MUSIC_SOURCE_PROCEDURAL,
                            music_brief=c.MusicBrief(mood="calm", genre="ambient"),
                            output_prefix=f"jobs/levels/{voice}-{mode}",
                            scene_sound=mode,
                            seed=3,
                        ),
                        timeout=600,
                    )
                    levels = " ".join(f"{lv.layer}={lv.active_rms_dbfs:.1f}" for lv in r.layer_levels)
                    print(
                        f"voice={voice:5s} mode={c.SceneSoundMode.Name(mode)[17:]:8s} "
                        f"integrated={r.integrated_lufs:.2f} LUFS "
                        f"true_peak={r.true_peak_dbtp:.2f} dBTP  active RMS dBFS: {levels}  "
                        f"sounds={[x.sound_id for x in r.sound_credits if x.layer != 'music']}  "
                        f"warnings={[w.code for w in r.warnings]}"
                    )
    finally:
        await rt.drain()


if __name__ == "__main__":
    asyncio.run(main())
