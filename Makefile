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
# The derandomised, bounded hypothesis profile (tests/conftest.py); `thorough` explores further.
export HYPOTHESIS_PROFILE ?= ci

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

.PHONY: docs
docs: $(STAMP) ## regenerate docs/configuration.md (settings) and docs/api.md (API reference from proto comments)
	$(PY) tools/config_reference.py
	$(PY) tools/api_reference.py

.PHONY: proto-vendor
proto-vendor: $(STAMP) ## refresh the vendored proto/google/rpc/*.proto from the googleapis-common-protos wheel
	$(PY) tools/gen_proto.py --vendor

.PHONY: proto-breaking
proto-breaking: $(STAMP) ## buf breaking of proto/ against the merge base with main (else HEAD~1); AGAINST=ref
	$(PY) tools/buf_breaking.py $(if $(AGAINST),--against $(AGAINST))

.PHONY: examples-node
examples-node: examples/node/node_modules/.package-lock.json ## install the Node example's pinned packages (npm ci)

examples/node/node_modules/.package-lock.json: examples/node/package-lock.json examples/node/package.json
	cd examples/node && npm ci --no-audit --no-fund

# --- quality -----------------------------------------------------------------------------------
.PHONY: lint
lint: $(STAMP) ## ruff + buf lint + buf breaking + dependency audit + deployment checks
	$(VENV)/bin/ruff check .
	$(VENV)/bin/buf lint
	$(PY) tools/buf_breaking.py
	$(PY) tools/audit.py
	$(MAKE) --no-print-directory deploy-check

.PHONY: deploy-check
deploy-check: $(STAMP) system-deps ## render + validate k8s (schemas), promtool rules, hadolint Dockerfiles
	PYTHON=$(PY) bash deploy/validate.sh

.PHONY: test
test: setup ## run the test suite
	@# --tb=native: CPython 3.11.7 crashes pytest (INTERNALERROR, AST recursion) rendering some tracebacks.
	$(PY) -m pytest --tb=native $(PYTEST_ARGS)

.PHONY: test-fast
test-fast: setup ## unit tests only, for the edit loop (no servers, no ffmpeg films); `make test` runs everything
	$(PY) -m pytest --tb=native -q tests/unit $(PYTEST_ARGS)

.PHONY: faults-matrix
faults-matrix: setup ## a service killed mid-stage and back after 0, 5 and 20 s; 4x image-worker overload (prints FIGURE lines)
	CINESYNTH_FAULT_DELAYS=0,5,20 $(PY) -m pytest tests/faults/test_waiting.py -s -q -p no:cacheprovider --tb=native

# --- local stack -------------------------------------------------------------------------------
.PHONY: up
up: setup ## start the five services on loopback (pids and logs in run/)
	$(PY) -m tools.devstack up

.PHONY: down
down: ## stop the local stack (SIGTERM, then wait)
	@if [ -x $(PY) ]; then $(PY) -m tools.devstack down; fi

.PHONY: status
status: ## health of the local stack
	$(PY) -m tools.devstack status

.PHONY: soak
soak: setup ## N jobs through a local stack on free ports; RSS of every service before/after (SOAK_JOBS=100)
	$(PY) bench/soak/run.py --jobs $(or $(SOAK_JOBS),100)

.PHONY: review
review: setup ## the review page on http://127.0.0.1:8080 for the gateway at GATEWAY (default localhost:50051)
	$(VENV)/bin/cinesynth-review --gateway $(or $(GATEWAY),localhost:50051) --port $(or $(REVIEW_PORT),8080)

.PHONY: demo
demo: setup ## render a movie with the offline defaults on the local stack
	$(PY) -m tools.devstack demo

.PHONY: bench-compositor
bench-compositor: setup ## compositor vs the paper-style reference (../shared/bench) vs the encode floor
	$(PY) bench/compositor/run.py $(BENCH_ARGS)

.PHONY: load
load: setup ## N concurrent jobs (default 20), 4 simulated-GPU image workers; RESULT ... lost=0 duplicated=0
	$(PY) bench/load/run.py $(LOAD_ARGS)

.PHONY: bench-e2e
bench-e2e: setup ## draft films (60 s, 300 s) on a free-port local stack with 1/2/4 compositors: stages, wall, CPU-s
	$(PY) bench/e2e.py $(BENCH_ARGS)

.PHONY: bench-progress
bench-progress: setup ## a film on the local stack (free ports): progress/ETA per event, old vs new weights, ETA error
	$(PY) bench/progress/run.py $(BENCH_ARGS)

.PHONY: clean
clean: down
	rm -rf run build .pytest_cache .ruff_cache

.PHONY: bench-imagegen
bench-imagegen: setup ## GPU keyframe benchmark: real-size SD 1.5 / SDXL, fp16, eager vs compiled (needs CUDA)
	$(PY) bench/imagegen_gpu.py $(BENCH_ARGS)

.PHONY: bench-motion
bench-motion: setup ## image-to-video seconds per clip/frame + peak VRAM per model and size (BENCH_ARGS=--smoke on CPU)
	$(PY) bench/motion_upscale.py motion $(BENCH_ARGS)

.PHONY: bench-upscale
bench-upscale: setup ## upscaler seconds per frame + peak VRAM: Real-ESRGAN, LDM SR, Lanczos (BENCH_ARGS=--smoke)
	$(PY) bench/motion_upscale.py upscale $(BENCH_ARGS)

.PHONY: imagegen-tiny
imagegen-tiny: setup ## build the tiny random SD pipeline (CPU demos of the GPU code path)
	$(PY) -m services.imagegen.main build-tiny

.PHONY: eval-music
eval-music: setup ## beat/downbeat/tempo accuracy (mir_eval) + music-video cuts, overall and per category, synthetic set (EVAL_MUSIC_ARGS="--seed 17" draws another)
	nice -n 10 $(PY) -m services.audio.rhythm.evaluate $(EVAL_MUSIC_ARGS)

.PHONY: setup-madmom
setup-madmom: setup ## opt-in madmom beat backend (models CC BY-NC-SA: non-commercial) + the dist-info its import needs
	$(PIP) install -c constraints.txt '.[madmom]'
	$(PY) tools/madmom_dist_info.py

.PHONY: eval-storyboard
eval-storyboard: setup ## faithfulness (MiniLM retrieval@1, margin, subjects, attributes) per backend, then BLEU
	HF_HUB_OFFLINE=1 nice -n 10 $(PY) -m services.storyboard.main faithfulness --backend planner --backend transformers
	$(PY) -m services.storyboard.main eval services/storyboard/data/eval_refs.jsonl
	$(PY) -m services.storyboard.main eval services/storyboard/data/eval_refs_heldout.jsonl

.PHONY: eval-sfx
eval-sfx: setup ## text -> sound retrieval accuracy@1/@3 of the built-in SFX library on held-out descriptions
	$(PY) -m services.audio.sfx.evaluation

.PHONY: bench-scene-sound
bench-scene-sound: setup ## loudness (LUFS, dBTP) and per-layer levels of a soundtrack with scene sound off/ambience/full
	$(PY) bench/scene_sound_levels.py
