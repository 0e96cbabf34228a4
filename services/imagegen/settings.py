"""Settings of the ImageGen service (CINESYNTH_* environment variables, flags override)."""

from __future__ import annotations

from services.common.settings import ServiceSettings


class ImageGenSettings(ServiceSettings):
    service_name: str = "imagegen"
    port: int = 50053
    metrics_port: int | None = 9093
