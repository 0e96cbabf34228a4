# cinesynth — developer commands. `make demo` renders a movie; `make test` runs the suite.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON_BOOT ?= python3
VENV        ?= .venv
PY          := $(VENV)/bin/python
PIP         := $(PY) -m pip
STAMP       := $(VENV)/.cinesynth-installed
PYTEST_ARGS ?=

export HF_HUB_OFFLINE ?= 1

.PHONY: help
help: ## list the targets
	@grep -hE '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-18s %s\n", $$1, $$2}'

# --- setup -------------------------------------------------------------------------------------
$(STAMP): pyproject.toml constraints.txt requirements-nodeps.txt
	test -x $(PY) || $(PYTHON_BOOT) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	@# The local CPU wheel first; constraints.txt keeps the resolver from swapping in a CUDA build.
	$(PIP) install -q torch==2.13.0 -c constraints.txt
	$(PIP) install -q -e ".[all]" -c constraints.txt
	$(PIP) install -q --no-deps -r requirements-nodeps.txt
	touch $@

.PHONY: setup
setup: $(STAMP) system-deps ## create .venv and install everything for local use

.PHONY: system-deps
system-deps: ## ffmpeg/ffprobe and promtool from Debian when root (else imageio-ffmpeg's ffmpeg is used)
	@bash tools/system_deps.sh

# --- contract ----------------------------------------------------------------------------------
.PHONY: proto
proto: $(STAMP) ## regenerate the Python stubs from proto/
	$(PY) tools/gen_proto.py
	$(PY) tools/gen_proto.py --vendor build/third_party/proto

.PHONY: docs
docs: $(STAMP) ## regenerate docs/configuration.md from the settings classes
	$(PY) tools/config_reference.py

.PHONY: proto-deps
proto-deps: $(STAMP)
	@$(PY) tools/gen_proto.py --vendor build/third_party/proto

# --- quality -----------------------------------------------------------------------------------
.PHONY: lint
lint: $(STAMP) proto-deps ## ruff + buf lint + dependency audit + deployment checks
	$(VENV)/bin/ruff check .
	$(VENV)/bin/buf lint --path proto/cinesynth
	$(PY) tools/audit.py
	$(MAKE) --no-print-directory deploy-check

.PHONY: deploy-check
deploy-check: $(STAMP) system-deps ## render + validate k8s (schemas), promtool rules, hadolint Dockerfiles
	PYTHON=$(PY) bash deploy/validate.sh

.PHONY: test
test: setup proto-deps ## run the test suite
	$(PY) -m pytest $(PYTEST_ARGS)

# --- local stack -------------------------------------------------------------------------------
.PHONY: up
up: setup ## start the five services on loopback (pids and logs in run/)
	$(PY) -m services.common.stack up

.PHONY: down
down: ## stop the local stack (SIGTERM, then wait)
	@if [ -x $(PY) ]; then $(PY) -m services.common.stack down; fi

.PHONY: status
status: ## health of the local stack
	$(PY) -m services.common.stack status

.PHONY: demo
demo: setup ## render a movie with the offline defaults on the local stack
	$(PY) -m services.common.stack demo

.PHONY: bench-compositor
bench-compositor: setup ## compositor vs the paper-style reference (../shared/bench) vs the encode floor
	$(PY) bench/compositor/run.py $(BENCH_ARGS)

.PHONY: load
load: setup ## N concurrent jobs (default 20), 4 simulated-GPU image workers; RESULT ... lost=0 duplicated=0
	$(PY) bench/load/run.py $(LOAD_ARGS)

.PHONY: bench-e2e
bench-e2e: setup ## the 60 s five-scene draft movie through the local stack, timed per stage
	$(PY) -m services.common.stack bench-e2e

.PHONY: clean
clean: down
	rm -rf run build .pytest_cache .ruff_cache

.PHONY: bench-imagegen
bench-imagegen: setup ## GPU keyframe benchmark: real-size SD 1.5 / SDXL, fp16, eager vs compiled (needs CUDA)
	$(PY) bench/imagegen_gpu.py $(BENCH_ARGS)

.PHONY: imagegen-tiny
imagegen-tiny: setup ## build the tiny random SD pipeline (CPU demos of the GPU code path)
	$(PY) -m services.imagegen.main build-tiny

.PHONY: eval-storyboard
eval-storyboard: setup ## BLEU + semantic coherence of the storyboard planner against reference scripts
	$(PY) -m services.storyboard.main eval services/storyboard/data/eval_refs.jsonl
	$(PY) -m services.storyboard.main eval services/storyboard/data/eval_refs_heldout.jsonl

.PHONY: eval-sfx
eval-sfx: setup ## text -> sound retrieval accuracy@1/@3 of the built-in SFX library on held-out descriptions
	$(PY) -m services.audio.sfx.evaluation
