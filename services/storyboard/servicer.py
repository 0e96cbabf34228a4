"""The gRPC face of the storyboard core: proto <-> core values, nothing else."""

from __future__ import annotations

from grpc import aio

from services.common import cancellation, pb
from services.common.enums import ProtoEnumMap
from services.common.notices import warning_messages
from services.storyboard import scene_sound
from services.storyboard.core import StoryboardWriter
from services.storyboard.domain import (
    Backend,
    CameraPose,
    Character,
    MusicAnalysis,
    MusicBrief,
    MusicContext,
    MvDescription,
    MvSegment,
    MvType,
    Notice,
    ParseOutcome,
    Provenance,
    Scene,
    ShotDomains,
    Storyboard,
    StoryboardRequest,
    Transition,
)

common = pb.common_pb2

BACKENDS = ProtoEnumMap(common.StoryboardBackend, "STORYBOARD_BACKEND_", Backend)
OUTCOMES = ProtoEnumMap(common.ParseOutcome, "PARSE_OUTCOME_", ParseOutcome, unspecified=ParseOutcome.OK)
TRANSITIONS = ProtoEnumMap(common.TransitionKind, "TRANSITION_KIND_", Transition, unspecified=Transition.CROSSFADE)
MV_TYPES = ProtoEnumMap(common.MvType, "MV_TYPE_", MvType)


# --- proto -> core ------------------------------------------------------------------------------
def request_from_proto(message: pb.storyboard_pb2.CreateStoryboardRequest) -> StoryboardRequest:
    return StoryboardRequest(
        prompt=message.prompt,
        scene_count=message.scene_count,
        duration_s=message.duration_s,
        style=message.style,
        seed=message.seed if message.HasField("seed") else None,
        backend=BACKENDS.to_domain(message.backend),
        model=message.model,
        music=music_from_proto(message.music_context) if message.HasField("music_context") else None,
        storyboard=storyboard_from_proto(message.storyboard) if message.HasField("storyboard") else None,
    )


def music_from_proto(message: common.MusicContext) -> MusicContext:
    a = message.analysis
    return MusicContext(
        analysis=MusicAnalysis(
            duration_s=a.duration_s, tempo_bpm=a.tempo_bpm, beat_times_s=list(a.beat_times_s),
            downbeat_times_s=list(a.downbeat_times_s), section_boundaries_s=list(a.section_boundaries_s),
            energy=list(a.energy), energy_hop_s=a.energy_hop_s, key=a.key,
        ),
        genre_tags=list(message.genre_tags),
        mv_type=MV_TYPES.to_domain(message.mv_type) or MvType.UNSPECIFIED,
        lyrics=message.lyrics,
    )


def storyboard_from_proto(message: common.Storyboard) -> Storyboard:
    provenance = message.provenance
    return Storyboard(
        title=message.title,
        logline=message.logline,
        style=message.style,
        characters=[Character(c.name, c.description) for c in message.characters],
        music=MusicBrief(message.music.mood, message.music.genre, message.music.tempo_bpm, message.music.query),
        scenes=[_scene_from_proto(s) for s in message.scenes],
        total_duration_s=message.total_duration_s,
        seed=message.seed,
        prompt=message.prompt,
        mv_description=MvDescription(
            message.mv_description.overview,
            [MvSegment(s.start_s, s.end_s, s.description) for s in message.mv_description.breakdown],
        ) if message.HasField("mv_description") else None,
        provenance=Provenance(
            BACKENDS.to_domain(provenance.backend), provenance.model,
            OUTCOMES.to_domain(provenance.parse_outcome) or ParseOutcome.OK,
            [Notice(w.code, w.message, w.stage) for w in provenance.warnings],
        ),
    )


def _scene_from_proto(message: common.Scene) -> Scene:
    shot = message.shot
    pose = shot.camera_pose
    return Scene(
        index=message.index, title=message.title, description=message.description,
        visual_prompt=message.visual_prompt, negative_prompt=message.negative_prompt, narration=message.narration,
        duration_s=message.duration_s,
        shot=ShotDomains(shot.character, shot.background, shot.relation,
                         CameraPose(pose.pan, pose.tilt, pose.zoom, pose.move), shot.lighting),
        mood=message.mood, transition=TRANSITIONS.to_domain(message.transition) or Transition.CROSSFADE,
        transition_s=message.transition_s, shot_type=message.shot_type, start_s=message.start_s,
        beat=message.beat, motion_intensity=message.motion_intensity, lyrics=message.lyrics,
    )


# --- core -> proto ------------------------------------------------------------------------------
def storyboard_to_proto(storyboard: Storyboard) -> common.Storyboard:
    provenance = storyboard.provenance
    message = common.Storyboard(
        title=storyboard.title,
        logline=storyboard.logline,
        style=storyboard.style,
        characters=[common.Character(name=c.name, description=c.description) for c in storyboard.characters],
        music=common.MusicBrief(
            mood=storyboard.music.mood, genre=storyboard.music.genre, tempo_bpm=storyboard.music.tempo_bpm,
            query=storyboard.music.query,
        ),
        scenes=[_scene_to_proto(s) for s in storyboard.scenes],
        total_duration_s=storyboard.total_duration_s,
        seed=storyboard.seed,
        prompt=storyboard.prompt,
        provenance=common.StoryboardProvenance(
            backend=(
                BACKENDS.to_proto(provenance.backend) if provenance.backend else common.STORYBOARD_BACKEND_UNSPECIFIED
            ),
            model=provenance.model,
            parse_outcome=OUTCOMES.to_proto(provenance.parse_outcome),
            warnings=warning_messages(provenance.warnings),
        ),
    )
    if storyboard.mv_description is not None:
        message.mv_description.CopyFrom(common.MvDescription(
            overview=storyboard.mv_description.overview,
            breakdown=[common.MvSegment(start_s=s.start_s, end_s=s.end_s, description=s.description)
                       for s in storyboard.mv_description.breakdown],
        ))
    return message


def _scene_to_proto(scene: Scene) -> common.Scene:
    pose = scene.shot.camera_pose
    return common.Scene(
        index=scene.index, title=scene.title, description=scene.description, visual_prompt=scene.visual_prompt,
        negative_prompt=scene.negative_prompt, narration=scene.narration, duration_s=scene.duration_s,
        shot=common.ShotDomains(
            character=scene.shot.character, background=scene.shot.background, relation=scene.shot.relation,
            camera_pose=common.CameraMotion(pan=pose.pan, tilt=pose.tilt, zoom=pose.zoom, move=pose.move),
            lighting=scene.shot.lighting,
        ),
        mood=scene.mood, transition=TRANSITIONS.to_proto(scene.transition), transition_s=scene.transition_s,
        shot_type=scene.shot_type, start_s=scene.start_s, beat=scene.beat,
        motion_intensity=scene.motion_intensity, lyrics=scene.lyrics,
    )


class StoryboardServicer(pb.storyboard_grpc.StoryboardServiceServicer):
    def __init__(self, writer: StoryboardWriter) -> None:
        self.writer = writer

    async def CreateStoryboard(
        self, request: pb.storyboard_pb2.CreateStoryboardRequest, context: aio.ServicerContext
    ) -> pb.storyboard_pb2.CreateStoryboardResponse:
        core_request = request_from_proto(request)
        remaining = context.time_remaining()
        budget = max(0.1, remaining - 0.5) if remaining is not None else None
        storyboard = await cancellation.to_thread(self.writer.create, core_request, time_budget_s=budget)
        message = storyboard_to_proto(storyboard)
        given = request.storyboard if request.HasField("storyboard") else None
        await cancellation.to_thread(scene_sound.annotate, message, given)
        return pb.storyboard_pb2.CreateStoryboardResponse(storyboard=message)
