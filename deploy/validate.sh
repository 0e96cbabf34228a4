#!/usr/bin/env bash
# Render and validate the deployment (kustomize, Kubernetes + CRD schemas, promtool, hadolint).
# Usage: deploy/validate.sh [render|schemas|rules|dockerfiles ...]   (see deploy/validate.py)
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-.venv/bin/python}"
[ -x "$PYTHON" ] || PYTHON=python3
exec "$PYTHON" deploy/validate.py "$@"
