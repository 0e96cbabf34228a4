"""Typed service settings, read once from `CINESYNTH_*` environment variables and CLI flags."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

ENV_PREFIX = "CINESYNTH_"

# Subclasses override defaults with these types so the bounds are kept.
Port = Annotated[int, Field(ge=0, le=65535)]
OptionalPort = Annotated[int | None, Field(ge=0, le=65535)]


class ServiceSettings(BaseSettings):
    """Settings every server shares. Each service subclasses it with its own ports and fields."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore", validate_default=True)

    service_name: str = "cinesynth"
    host: str = Field("127.0.0.1", description="Address the gRPC server binds.")
    port: Port = Field(0, description="gRPC port; 0 picks a free one.")
    metrics_host: str = Field("127.0.0.1", description="Address of the Prometheus /metrics endpoint.")
    metrics_port: OptionalPort = Field(
        None, description="Prometheus port; unset disables the endpoint, 0 picks one."
    )
    port_file: str | None = Field(
        None, description="Once listening, write the bound gRPC/metrics ports here as JSON (for port 0 starts)."
    )
    reflection: bool = Field(True, description="Serve gRPC server reflection.")
    grace_period_s: float = Field(30.0, ge=0, description="How long in-flight calls may run on SIGTERM.")
    drain_delay_s: float = Field(
        0.0, ge=0, description="Pause between NOT_SERVING and closing the listener (load balancers notice)."
    )
    log_level: str = Field("INFO", description="DEBUG, INFO, WARNING, ERROR.")
    log_format: Literal["json", "text"] = Field("json", description="json: one object per line; text: for people.")
    artifact_store: str = Field("file://./run/artifacts", description="file://DIR or s3://BUCKET/PREFIX.")
    s3_endpoint_url: str | None = Field(None, description="S3-compatible endpoint (MinIO, moto); unset = AWS.")
    s3_region: str | None = Field(None, description="S3 region; unset = the SDK's default chain.")
    max_message_mb: int = Field(64, ge=4, le=1024, description="Largest gRPC message sent or received.")
    max_connection_age_s: float | None = Field(
        None, gt=0, description="Close client connections after this age so new pods get traffic."
    )
    max_concurrent_rpcs: int | None = Field(None, gt=0, description="Server-wide cap on concurrent calls.")

    @property
    def address(self) -> str:
        host = f"[{self.host}]" if ":" in self.host and not self.host.startswith("[") else self.host
        return f"{host}:{self.port}"

    @property
    def max_message_bytes(self) -> int:
        return self.max_message_mb * 1024 * 1024
