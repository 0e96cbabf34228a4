"""Settings of the Audio service (CINESYNTH_* environment variables, flags override)."""

from __future__ import annotations

from services.common.settings import ServiceSettings


class AudioSettings(ServiceSettings):
    service_name: str = "audio"
    port: int = 50054
    metrics_port: int | None = 9094
