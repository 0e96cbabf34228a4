"""Settings of the gateway (CINESYNTH_* environment variables, flags override)."""

from __future__ import annotations

from services.common.settings import OptionalPort, Port, ServiceSettings


class GatewaySettings(ServiceSettings):
    service_name: str = "gateway"
    port: Port = 50051
    metrics_port: OptionalPort = 9091
