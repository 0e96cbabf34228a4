"""Settings of the ImageGen service (CINESYNTH_* environment variables, flags override)."""

from __future__ import annotations

from services.common.settings import OptionalPort, Port, ServiceSettings


class ImageGenSettings(ServiceSettings):
    service_name: str = "imagegen"
    port: Port = 50053
    metrics_port: OptionalPort = 9093
