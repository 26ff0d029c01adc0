# Developer tasks for Playground.
#
#   make run    install what is missing, migrate, serve on http://127.0.0.1:8000
#   make test   install what is missing, then ruff, mypy, pytest and the Pyodide run
#
# Everything installs into the repository: .venv (Python), frontend/node_modules
# (npm), .cache/pyodide-wheels (wheels for the Pyodide test run). Each step
# reruns only when the files it depends on change.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

VENV := .venv
VENV_STAMP := $(VENV)/.installed
NODE_STAMP := frontend/node_modules/.installed
WHEEL_DIR := .cache/pyodide-wheels
WHEEL_STAMP := $(WHEEL_DIR)/.downloaded
PYODIDE_LOCK := frontend/node_modules/pyodide/pyodide-lock.json
HOST ?= 127.0.0.1
PORT ?= 8000

# The interpreter for a new .venv: the newest CPython >= 3.11 that actually runs,
# preferring 3.13, then 3.12, then python3. The runtime analyses 3.12+ syntax
# (PEP 695) the way the browser's Python 3.14 parses it, so newer is better.
# pyenv shims exist on PATH even when that version is not selected (and then
# fail), so each candidate is run, not just looked up. Override: make PYTHON=...
PYTHON_CANDIDATES = python3.13 $$(ls -d $(HOME)/.pyenv/versions/3.13*/bin/python3.13 2>/dev/null | sort -rV) \
	python3.12 $$(ls -d $(HOME)/.pyenv/versions/3.12*/bin/python3.12 2>/dev/null | sort -rV) python3
PYTHON ?= $(shell for candidate in $(PYTHON_CANDIDATES); do \
	"$$candidate" -c 'import sys, ensurepip, venv; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1 \
	&& { echo "$$candidate"; break; }; done)

PIP := $(VENV)/bin/python -m pip
PIP_INSTALL := $(PIP) install --quiet --disable-pip-version-check

.PHONY: help
help:
	@echo "make run           install, migrate and serve on http://$(HOST):$(PORT)"
	@echo "make test          install, then lint + pytest + the runtime tests under Pyodide"
	@echo "make lint          ruff, mypy (kernels/ strict on its own, the Django apps) and tsc"
	@echo "make frontend-build  build frontend/dist (Vite, runtime wheel, snapshot)"
	@echo "make test-python   pytest (all of tests/)"
	@echo "make test-pyodide  tests/runtime under Pyodide 314 (Node)"
	@echo "make mutation      mutmut over the core modules, a score per module (slow; not in make test)"
	@echo "make install       only create/refresh .venv"
	@echo "make clean         remove .venv, node_modules, frontend/dist and caches (keeps var/)"

# --- installs ---------------------------------------------------------------

.PHONY: install
install: $(VENV_STAMP)

$(VENV)/bin/python:
	@if [ -z "$(PYTHON)" ]; then \
		echo "error: found no Python >= 3.11 with the venv module (python3.13, python3.12, python3, pyenv's)." >&2; \
		echo "Install one (e.g. apt-get install python3-venv) or run: make PYTHON=/path/to/python3.12" >&2; \
		exit 1; \
	fi
	@echo "Creating $(VENV) with $(PYTHON) ($$($(PYTHON) -c 'import platform; print(platform.python_version())'))"
	$(PYTHON) -m venv $(VENV)
	$(PIP_INSTALL) pip==26.3

# Reinstalls when a requirements file or pyproject.toml (entry points, packages) changes.
# setuptools explains editable installs in a box of asterisks on every install (its
# InformationOnly warning "Editable installation."): information, which newcomers
# read as an error, so that one warning is filtered out, by its text.
$(VENV_STAMP): requirements.txt requirements-dev.txt deploy/kernel-requirements.txt pyproject.toml | $(VENV)/bin/python
	$(PIP_INSTALL) -r requirements-dev.txt
	PYTHONWARNINGS="ignore:Editable installation" $(PIP_INSTALL) --no-deps --no-build-isolation -e .
	@touch $@

$(NODE_STAMP): frontend/package.json frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# The pure-Python wheels pinned in tests/pyodide/requirements.txt, plus
# Pyodide-built ones where a package ships them (hypothesis has a native part):
# the platform tag comes from the installed Pyodide's lock file.
$(WHEEL_STAMP): tests/pyodide/requirements.txt $(NODE_STAMP) | $(VENV_STAMP)
	rm -rf $(WHEEL_DIR)
	abi=$$(node -p 'require("./$(PYODIDE_LOCK)").info.abi_version') && \
	pyver=$$(node -p 'require("./$(PYODIDE_LOCK)").info.python.split(".").slice(0, 2).join(".")') && \
	$(PIP) download --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
		--python-version "$$pyver" --implementation cp --abi "cp$${pyver/./}" \
		--platform "pyemscripten_$${abi}_wasm32" --platform any \
		-d $(WHEEL_DIR) -r tests/pyodide/requirements.txt
	@touch $@

# --- run --------------------------------------------------------------------

# The frontend build (docs/frontend-contract.md): vite build into frontend/dist,
# the runtime wheel (from kernels/), micropip, the Pyodide memory snapshot and
# playground-assets.json. Rebuilt only when frontend sources, the npm lock or
# the Python that goes into the wheel and snapshot change.
FRONTEND_DIST := frontend/dist
FRONTEND_STAMP := $(FRONTEND_DIST)/.built
FRONTEND_INPUTS := $(shell find frontend/src frontend/scripts kernels/__init__.py kernels/runtime kernels/ui kernels/marimo_compat \
	-type f -not -path '*/__pycache__/*' -not -name '*.pyc' 2>/dev/null) \
	frontend/package.json frontend/package-lock.json frontend/vite.config.mts frontend/tsconfig.json
MICROPIP_VERSION := 0.11.1
MICROPIP_WHEEL := .cache/frontend-wheels/micropip-$(MICROPIP_VERSION)-py3-none-any.whl

.PHONY: frontend-build
frontend-build: $(FRONTEND_STAMP)

$(MICROPIP_WHEEL): | $(VENV)/bin/python
	$(PIP) download --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
		-d $(@D) micropip==$(MICROPIP_VERSION)

$(FRONTEND_STAMP): $(FRONTEND_INPUTS) $(NODE_STAMP) $(MICROPIP_WHEEL)
	cd frontend && npx --no-install vite build --logLevel warn
	$(VENV)/bin/python frontend/scripts/build_runtime_wheel.py --out $(FRONTEND_DIST)/wheels
	cp $(MICROPIP_WHEEL) $(FRONTEND_DIST)/wheels/
	node frontend/scripts/make_snapshot.mjs
	node frontend/scripts/write_assets.mjs
	@touch $@

# Two sites from one server (docs/security.md): the app on http://$(HOST):$(PORT) and the
# playground, where notebook code runs, on http://localhost:$(PORT) (a different host
# name, so it never gets the app's cookies). runserver is daphne's: websockets too.
USERCONTENT_HOST ?= $(if $(filter localhost,$(HOST)),127.0.0.1,localhost)
RUN_ENV := APP_ORIGIN=http://$(HOST):$(PORT) USERCONTENT_ORIGIN=http://$(USERCONTENT_HOST):$(PORT)

.PHONY: run
run: $(VENV_STAMP) frontend-build
	$(VENV)/bin/python manage.py migrate --noinput
	@echo "Playground: http://$(HOST):$(PORT)/  (notebooks run on http://$(USERCONTENT_HOST):$(PORT)/play)"
	@echo "Sign-up mails (verification links) are printed here."
	$(RUN_ENV) $(VENV)/bin/python manage.py runserver $(HOST):$(PORT)

# --- tests ------------------------------------------------------------------

# Runs all three checks even when one fails (-k), and fails if any did.
.PHONY: test
test: $(VENV_STAMP) $(NODE_STAMP) $(WHEEL_STAMP) frontend-build
	@$(MAKE) -k lint test-python test-pyodide

# mypy: the runtime on its own (no site-packages: standard library only, as in Pyodide),
# as Python 3.11 and 3.14 see it; then the Django apps (pyproject.toml, docs/testing.md).
.PHONY: lint
lint: $(VENV_STAMP) $(NODE_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy --no-site-packages kernels
	$(VENV)/bin/mypy --no-site-packages --python-version 3.14 kernels
	$(VENV)/bin/mypy
	node frontend/scripts/protocol_types.mjs --check
	cd frontend && npx --no-install tsc --noEmit -p .

.PHONY: test-python
test-python: $(VENV_STAMP)
	$(VENV)/bin/pytest

.PHONY: test-pyodide
test-pyodide: $(NODE_STAMP) $(WHEEL_STAMP)
	node tests/pyodide/run_runtime_tests.mjs

# Mutation testing (docs/testing.md, "Mutation testing"): one mutmut run per module
# with the tests that guard it, then a table of scores. Too slow for `make test`.
# Some groups only: make mutation GROUPS="graph access"; options: MUTATION_ARGS=--keep.
GROUPS ?=
MUTATION_ARGS ?=

.PHONY: mutation
mutation: $(VENV_STAMP)
	$(VENV)/bin/python -m tests.mutation.run $(MUTATION_ARGS) $(GROUPS)

# --- housekeeping -----------------------------------------------------------

.PHONY: clean
clean:
	rm -rf $(VENV) .cache frontend/node_modules $(FRONTEND_DIST) .pytest_cache .ruff_cache .mypy_cache .hypothesis mutants
	find . -path ./.git -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +
