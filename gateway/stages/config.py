"""The pipeline's settings, read by every stage (built from the gateway settings in gateway/main.py)."""

from __future__ import annotations

from dataclasses import dataclass, field

from gateway.downstream import RetryPolicy
from gateway.model import TIERS
from gateway.stages.compose_segments import SegmentConfig
from gateway.stages.motion import MotionStageConfig
from gateway.stages.retry import StageRetry


@dataclass(frozen=True)
class PipelineConfig:
    storyboard_timeout_s: float = 300.0
    analyze_timeout_s: float = 300.0
    keyframe_timeout_s: float = 600.0
    soundtrack_timeout_s: float = 600.0
    compose_timeout_s: float = 1800.0
    compose_attempts: int = 2
    compose_retry_wait_s: float = 120.0
    keyframe_concurrency: int = 4
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    stage_retry: StageRetry = field(default_factory=StageRetry)
    keyframe_pixels: dict[str, int] = field(default_factory=dict)
    imagegen_targets: dict[str, str] = field(default_factory=dict)
    imagegen_default_target: str = "127.0.0.1:50053"
    compose_presets: dict[str, str] = field(default_factory=dict)  # x264 preset per tier used
    segments: SegmentConfig = field(default_factory=SegmentConfig)
    motion: MotionStageConfig = field(default_factory=MotionStageConfig)
    served_tiers: tuple[str, ...] = TIERS  # tiers some pool is configured for

    def imagegen_target(self, tier: str) -> str:
        return self.imagegen_targets.get(tier) or self.imagegen_default_target
