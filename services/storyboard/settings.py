"""Settings of the Storyboard service (CINESYNTH_* environment variables, flags override)."""

from __future__ import annotations

from services.common.settings import OptionalPort, Port, ServiceSettings


class StoryboardSettings(ServiceSettings):
    service_name: str = "storyboard"
    port: Port = 50052
    metrics_port: OptionalPort = 9092
