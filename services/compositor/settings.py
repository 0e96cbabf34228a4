"""Settings of the Compositor service (CINESYNTH_* environment variables, flags override)."""

from __future__ import annotations

from services.common.settings import ServiceSettings


class CompositorSettings(ServiceSettings):
    service_name: str = "compositor"
    port: int = 50055
    metrics_port: int | None = 9095
