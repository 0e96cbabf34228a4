# syntax=docker/dockerfile:1.7
# cinesynth audio: narration (Piper offline, gTTS online), music, mix, captions (ffmpeg from Debian).
#   docker build -f deploy/docker/audio.Dockerfile -t ghcr.io/cinesynth/audio:0.1.0 .
# Python 3.12 on Debian 12 (bookworm), pinned by exact tag and by digest.
ARG PYTHON_IMAGE=python:3.12.12-slim-bookworm@sha256:593bd06efe90efa80dc4eee3948be7c0fde4134606dd40d8dd8dbcade98e669c

# --- build: a virtual environment with the project, its `audio` extra and gTTS ------------------
FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /src
COPY pyproject.toml README.md requirements-nodeps.txt ./
COPY services ./services
COPY gateway ./gateway
# The project itself (its dependency pins live in pyproject.toml); then gTTS without its declared
# dependencies: it caps click below what huggingface_hub needs, and its library part needs only
# `requests` (see requirements-nodeps.txt).
# hadolint ignore=DL3013
RUN pip install --no-cache-dir ".[audio]" \
 && pip install --no-cache-dir --no-deps --requirement requirements-nodeps.txt

# --- runtime: ffmpeg/ffprobe from Debian, the venv, a non-root user ------------------------------
FROM ${PYTHON_IMAGE} AS runtime
LABEL org.opencontainers.image.title="cinesynth-audio" \
      org.opencontainers.image.licenses="Apache-2.0"
# Debian's security updates replace ffmpeg versions in place; the base image digest is the pin.
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends ffmpeg \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 cinesynth \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /tmp --shell /usr/sbin/nologin cinesynth \
 && install -d -o 10001 -g 10001 /artifacts
COPY --from=build /opt/venv /opt/venv
# numba (librosa) and the embedding model cache under /tmp: the root filesystem is read-only.
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    HOME=/tmp \
    NUMBA_CACHE_DIR=/tmp/numba \
    XDG_CACHE_HOME=/tmp/cache \
    CINESYNTH_HOST=0.0.0.0 \
    CINESYNTH_PORT=50054 \
    CINESYNTH_METRICS_HOST=0.0.0.0 \
    CINESYNTH_METRICS_PORT=9094
USER 10001:10001
WORKDIR /tmp
EXPOSE 50054 9094
ENTRYPOINT ["cinesynth-audio"]
CMD ["serve"]
