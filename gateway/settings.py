"""Settings of the gateway (CINESYNTH_* environment variables, flags override)."""

from __future__ import annotations

from services.common.settings import ServiceSettings


class GatewaySettings(ServiceSettings):
    service_name: str = "gateway"
    port: int = 50051
    metrics_port: int | None = 9091
