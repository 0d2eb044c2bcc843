# seqlab: one command for students (make lab), one for everything else (make test).
# Needs only Python >= 3.11 and make; everything else installs into .venv.

SHELL := /bin/bash
# The first Python >= 3.11 that runs (TensorFlow has wheels for 3.11-3.13); override with PYTHON=...
PYTHON ?= $(shell for p in python3.12 python3.11 python3 python3.13; do \
  $$p -c 'import sys; sys.exit(not (3, 11) <= sys.version_info < (3, 14))' >/dev/null 2>&1 && { command -v $$p; break; }; done)
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
STAMP := $(VENV)/.installed

# nbgrader calls `alembic` by name, and notebooks' kernels should be the venv's Python.
export PATH := $(BIN):$(PATH)
export TF_CPP_MIN_LOG_LEVEL := 3
export TF_ENABLE_ONEDNN_OPTS := 0
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: setup lab test lint unit release release-check bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "seqlab needs Python 3.11, 3.12 or 3.13; none found. Set PYTHON=/path/to/python3.11."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	$(BIN)/python -m ipykernel install --user --name seqlab --display-name "Python 3 (seqlab)" >/dev/null
	@touch $(STAMP)
	@echo "seqlab is installed in $(VENV)."

lab: setup
	$(BIN)/jupyter lab --ServerApp.root_dir="$(CURDIR)" $(if $(filter 0,$(shell id -u)),--allow-root) README.md

lint: setup
	$(BIN)/ruff check .

release: setup
	$(BIN)/python -m grader release

release-check: setup
	$(BIN)/python -m grader release --check

unit: setup
	$(BIN)/python -m pytest -m "not notebook and not grader"

# Every check: lint, labs/ in sync with solutions/, unit tests, notebooks (fast mode), the grader.
test: setup
	$(BIN)/ruff check .
	$(BIN)/python -m grader release --check
	SEQLAB_FAST=1 $(BIN)/python -m pytest -n 2 --dist loadgroup --durations=15

# Benchmarks print figures (grading throughput; more per unit); they are not pass/fail tests.
bench: setup
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) build .pytest_cache .ruff_cache
