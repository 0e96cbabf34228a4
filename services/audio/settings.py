"""Settings of the Audio service (CINESYNTH_* environment variables, flags override)."""

from __future__ import annotations

from services.common.settings import OptionalPort, Port, ServiceSettings


class AudioSettings(ServiceSettings):
    service_name: str = "audio"
    port: Port = 50054
    metrics_port: OptionalPort = 9094
