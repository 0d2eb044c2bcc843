# seqlab: one command for students (make lab), one for everything else (make test).
# Needs only Python >= 3.11 and make; everything else installs into .venv.

SHELL := /bin/bash
# The first Python >= 3.11 that runs (TensorFlow has wheels for 3.11-3.13); override with PYTHON=...
PYTHON ?= $(shell for p in python3.12 python3.11 python3 python3.13; do \
  $$p -c 'import sys; sys.exit(not (3, 11) <= sys.version_info < (3, 14))' >/dev/null 2>&1 && { command -v $$p; break; }; done)
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev

# nbgrader calls `alembic` by name, and notebooks' kernels should be the venv's Python.
export PATH := $(BIN):$(PATH)
export TF_CPP_MIN_LOG_LEVEL := 3
export TF_ENABLE_ONEDNN_OPTS := 0
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: setup dev lab test lint unit release release-check bench results clean e2e browser

# What a student needs: the course, nbgrader, JupyterLab, TensorFlow (pyproject.toml's dependencies).
setup: $(STAMP)
# What developers and CI need too: pytest, ruff, Playwright (the `dev` extra).
dev: $(DEV_STAMP)

# The venv, with the course installed editable (and the extras $(1), e.g. "[dev]"), and its kernel.
define install
	@test -n "$(PYTHON)" || { echo "seqlab needs Python 3.11, 3.12 or 3.13; none found. Set PYTHON=/path/to/python3.11."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".$(1)"
	$(BIN)/python -m ipykernel install --sys-prefix --name seqlab --display-name "Python 3 (seqlab)" >/dev/null
endef

$(STAMP): pyproject.toml
	$(call install,)
	@touch $(STAMP)
	@echo "seqlab is installed in $(VENV)."

# One pip run for the course and the dev extra (a second run would resolve everything again).
$(DEV_STAMP): pyproject.toml
	$(call install,[dev])
	@touch $(STAMP) $(DEV_STAMP)
	@echo "seqlab and its developer tools are installed in $(VENV)."

lab: setup
	$(BIN)/jupyter lab --ServerApp.root_dir="$(CURDIR)" $(if $(filter 0,$(shell id -u)),--allow-root) README.md

lint: dev
	$(BIN)/ruff check .

release: setup
	$(BIN)/python -m grader release

release-check: setup

unit: dev
	$(BIN)/python -m pytest -m "not notebook and not grader"

# Every check: lint, unit tests, notebooks (fast mode), the grader, labs/ in sync with solutions/
# (tests/test_grader.py runs `grader release --check`'s comparison).
test: dev
	$(BIN)/ruff check .
	SEQLAB_FAST=1 $(BIN)/python -m pytest -n 2 --dist loadgroup --durations=15

# Browser tests (e2e/): JupyterLab in headless Chromium runs every walkthrough and moves its
# widgets, pastes the reference answers into every lab, and opens nbgrader's formgrader.
# Screenshots go to build/e2e/. Skipped, with the reason, when no Chromium can be had.
e2e: dev browser
	SEQLAB_FAST=1 $(BIN)/python -m pytest e2e -n 2 --dist load --durations=5 -p no:cacheprovider

# The system's Chromium for the browser tests (Playwright drives it; nothing downloads a browser).
# e2e/chromium.py says whether there is one ($$SEQLAB_CHROMIUM, or chromium/google-chrome on PATH);
# if not, root with apt-get (CI, containers) installs Debian's `chromium` (a failed install fails
# the run when CI=true); anyone else is told how.
browser: dev
	@if found=$$($(BIN)/python e2e/chromium.py); then echo "Browser tests use $$found"; \
	elif [ -n "$$SEQLAB_CHROMIUM" ]; then echo "$$found: the browser tests will be skipped."; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "$$found; installing Debian's chromium for the browser tests (apt-get)"; \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      --no-install-recommends chromium fonts-liberation >/dev/null \
	    && $(BIN)/python e2e/chromium.py; } \
	  || if [ "$$CI" = true ]; then echo "apt-get could not install chromium: failing (CI=true)."; exit 1; \
	     else echo "apt-get could not install chromium: the browser tests will be skipped."; fi; \
	else \
	  echo "$$found, and not root with apt-get: the browser tests will be skipped." \
	       "Install Chromium (Debian/Ubuntu: sudo apt-get install chromium) or set SEQLAB_CHROMIUM."; \
	fi

# Benchmarks print figures (grading throughput; more per unit); they are not pass/fail tests.
bench: setup
	$(BIN)/python -m benchmarks

# Every walkthrough in full mode (tens of minutes on 2 cores): the figures their text cites, written to
# seqlab/checkpoints/figures.json (commit it); fails when a claim the text makes no longer holds.
# `make results UNITS="03 06"` runs only those walkthroughs and keeps the others' figures.
results: setup
	$(BIN)/python -m seqlab.recorded $(UNITS)

clean:
	rm -rf $(VENV) build .pytest_cache .ruff_cache
