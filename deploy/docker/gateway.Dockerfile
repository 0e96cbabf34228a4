# syntax=docker/dockerfile:1.7
# cinesynth gateway: the public VideoService, job store, orchestration. No torch in this image.
#   docker build -f deploy/docker/gateway.Dockerfile -t ghcr.io/cinesynth/gateway:0.1.0 .
# Python 3.12 on Debian 12 (bookworm), pinned by exact tag and by digest.
ARG PYTHON_IMAGE=python:3.12.12-slim-bookworm@sha256:593bd06efe90efa80dc4eee3948be7c0fde4134606dd40d8dd8dbcade98e669c

# --- build: a virtual environment with the project and its `gateway` extra ---------------------
FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /src
COPY pyproject.toml README.md ./
COPY services ./services
COPY gateway ./gateway
COPY client ./client
# The project itself (its dependency pins live in pyproject.toml).
# hadolint ignore=DL3013
RUN pip install --no-cache-dir ".[gateway]"

# --- runtime: the venv only, a non-root user, no compilers, no sources ---------------------------
FROM ${PYTHON_IMAGE} AS runtime
LABEL org.opencontainers.image.title="cinesynth-gateway" \
      org.opencontainers.image.licenses="Apache-2.0"
# Volumes mounted at /data (SQLite job store) and /artifacts start owned by the service user.
RUN groupadd --system --gid 10001 cinesynth \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /tmp --shell /usr/sbin/nologin cinesynth \
 && install -d -o 10001 -g 10001 /data /artifacts
COPY --from=build /opt/venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    HOME=/tmp \
    CINESYNTH_HOST=0.0.0.0 \
    CINESYNTH_PORT=50051 \
    CINESYNTH_METRICS_HOST=0.0.0.0 \
    CINESYNTH_METRICS_PORT=9091
USER 10001:10001
WORKDIR /tmp
EXPOSE 50051 9091
ENTRYPOINT ["cinesynth-gateway"]
CMD ["serve"]
