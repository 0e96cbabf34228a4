"""Settings of the Storyboard service (CINESYNTH_* environment variables, flags override)."""

from __future__ import annotations

from services.common.settings import ServiceSettings


class StoryboardSettings(ServiceSettings):
    service_name: str = "storyboard"
    port: int = 50052
    metrics_port: int | None = 9092
