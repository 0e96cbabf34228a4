"""Short names for the generated cinesynth.v1 modules."""

from services.common.gen.cinesynth.v1 import (
    audio_service_pb2 as audio_pb2,
)
from services.common.gen.cinesynth.v1 import (
    audio_service_pb2_grpc as audio_grpc,
)
from services.common.gen.cinesynth.v1 import (
    common_pb2,
)
from services.common.gen.cinesynth.v1 import (
    compositor_service_pb2 as compositor_pb2,
)
from services.common.gen.cinesynth.v1 import (
    compositor_service_pb2_grpc as compositor_grpc,
)
from services.common.gen.cinesynth.v1 import (
    imagegen_service_pb2 as imagegen_pb2,
)
from services.common.gen.cinesynth.v1 import (
    imagegen_service_pb2_grpc as imagegen_grpc,
)
from services.common.gen.cinesynth.v1 import (
    motion_service_pb2 as motion_pb2,
)
from services.common.gen.cinesynth.v1 import (
    motion_service_pb2_grpc as motion_grpc,
)
from services.common.gen.cinesynth.v1 import (
    storyboard_service_pb2 as storyboard_pb2,
)
from services.common.gen.cinesynth.v1 import (
    storyboard_service_pb2_grpc as storyboard_grpc,
)
from services.common.gen.cinesynth.v1 import (
    upscale_service_pb2 as upscale_pb2,
)
from services.common.gen.cinesynth.v1 import (
    upscale_service_pb2_grpc as upscale_grpc,
)
from services.common.gen.cinesynth.v1 import (
    video_service_pb2 as video_pb2,
)
from services.common.gen.cinesynth.v1 import (
    video_service_pb2_grpc as video_grpc,
)

PACKAGE = "cinesynth.v1"
VIDEO_SERVICE = video_pb2.DESCRIPTOR.services_by_name["VideoService"].full_name
STORYBOARD_SERVICE = storyboard_pb2.DESCRIPTOR.services_by_name["StoryboardService"].full_name
IMAGEGEN_SERVICE = imagegen_pb2.DESCRIPTOR.services_by_name["ImageGenService"].full_name
AUDIO_SERVICE = audio_pb2.DESCRIPTOR.services_by_name["AudioService"].full_name
COMPOSITOR_SERVICE = compositor_pb2.DESCRIPTOR.services_by_name["CompositorService"].full_name
MOTION_SERVICE = motion_pb2.DESCRIPTOR.services_by_name["MotionService"].full_name
UPSCALE_SERVICE = upscale_pb2.DESCRIPTOR.services_by_name["UpscaleService"].full_name

__all__ = [
    "AUDIO_SERVICE",
    "COMPOSITOR_SERVICE",
    "IMAGEGEN_SERVICE",
    "MOTION_SERVICE",
    "PACKAGE",
    "STORYBOARD_SERVICE",
    "UPSCALE_SERVICE",
    "VIDEO_SERVICE",
    "audio_grpc",
    "audio_pb2",
    "common_pb2",
    "compositor_grpc",
    "compositor_pb2",
    "imagegen_grpc",
    "imagegen_pb2",
    "motion_grpc",
    "motion_pb2",
    "storyboard_grpc",
    "storyboard_pb2",
    "upscale_grpc",
    "upscale_pb2",
    "video_grpc",
    "video_pb2",
]
