"""Settings of the Compositor service (CINESYNTH_* environment variables, flags override)."""

from __future__ import annotations

from services.common.settings import OptionalPort, Port, ServiceSettings


class CompositorSettings(ServiceSettings):
    service_name: str = "compositor"
    port: Port = 50055
    metrics_port: OptionalPort = 9095
