# dlcourse: the two commands a learner needs are `make lab` and `make test`; `make help` lists the rest.
#
# Everything runs from a project-local virtualenv (.venv). `make lab` installs the run-time lock,
# binder/requirements.txt — the same file Binder and environment.yml install, so a learner's environment
# holds no test tools. `make test` adds tests/requirements.txt, which is constrained by the run-time lock
# (one consistent set of versions). Each lock is only reinstalled when it changes (stamp files), so
# re-running any target is fast.

SHELL := /bin/bash
.DEFAULT_GOAL := help

# The interpreter that creates .venv: python3.11 if it is called that, else python3 (checked: >= 3.11).
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3 2>/dev/null)
VENV := .venv
PY := $(VENV)/bin/python
LOCK := binder/requirements.txt
TEST_LOCK := tests/requirements.txt
LOCK_STAMP := $(VENV)/.stamp-lock
TEST_STAMP := $(VENV)/.stamp-test-lock
ORACLE_STAMP := $(VENV)/.stamp-oracles
# Test oracles, never dependencies of dlcourse, so not in the lock: PyTorch for the parity tests,
# SciPy for the clustering tests, micrograd 0.1.0 for the scalar engine. Tests that need them skip
# where they are missing.
ORACLES := torch==2.13.0 scipy==1.17.1 micrograd==0.1.0

# Notebooks run top to bottom under nbval. --nbval-lax: a cell fails only by raising (the notebooks
# assert their key results); outputs, stderr included, are compared only in cells marked
# `# NBVAL_CHECK_OUTPUT`, and there are none because notebooks are stored without outputs.
# --nbval-current-env: the kernel is this .venv's Python, whatever kernelspec the machine has.
NBVAL_ARGS := --nbval-lax --nbval-current-env --nbval-cell-timeout=300 --nbval-kernel-startup-timeout=120
# Only paths that exist: a fresh clone has no empty folders.
TEST_PATHS := $(wildcard tests instructor/chapters)
LINT_PATHS := $(wildcard dlcourse tests instructor notebooks benchmarks docs)
FORMAT_PATHS := $(wildcard dlcourse tests benchmarks docs)
# Extra options: make test PYTEST_ARGS="-x -k conv"; make lab LAB_ARGS="--no-browser --port 8899"
PYTEST_ARGS ?=
LAB_ARGS ?=
BENCH_ARGS ?=

export PIP_DISABLE_PIP_VERSION_CHECK := 1
export PIP_ROOT_USER_ACTION := ignore

.PHONY: help setup test-deps oracles lab test lint bench bench-browser warmup release clean distclean
.PHONY: book book-check book-tools animations

help:  ## list the targets
	@echo "dlcourse — make targets:"
	@awk -F':.*## ' '/^[a-z-]+:.*## / {printf "  make %-15s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(PY):
	@if [ -z "$(PYTHON)" ]; then echo "error: neither python3.11 nor python3 is on PATH" >&2; exit 1; fi
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "error: $(PYTHON) is $$($(PYTHON) --version 2>&1); dlcourse needs Python 3.11+" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(LOCK_STAMP): $(LOCK) pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -r $(LOCK)
	$(PY) -m pip install --quiet --no-deps -e .
	$(PY) -m pip check
	@touch $@

setup: $(LOCK_STAMP)  ## create .venv and install the run-time lock + dlcourse (only when they changed)

$(TEST_STAMP): $(TEST_LOCK) $(LOCK_STAMP)
	$(PY) -m pip install --quiet -r $(TEST_LOCK)
	$(PY) -m pip check
	@touch $@

test-deps: $(TEST_STAMP)  ## install the test tools (tests/requirements.txt); done by make test

# Best effort: without them the parity tests skip, everything else still runs. The lock is passed
# as constraints so that installing an oracle can never move a locked package.
$(ORACLE_STAMP): $(TEST_STAMP) Makefile
	@installed=yes; for oracle in $(ORACLES); do \
		$(PY) -m pip install --quiet "$$oracle" -c $(LOCK) || \
			{ installed=no; echo "$${oracle%%==*} unavailable: parity tests will skip"; }; \
	done; if [ $$installed = yes ]; then touch $@; fi

oracles: $(ORACLE_STAMP)  ## install the test oracles (torch, scipy); done by make test and make bench

lab: setup  ## warm the Numba cache, then open the course in JupyterLab
	@$(VENV)/bin/dlcourse warmup || echo "note: 'dlcourse warmup' did not run; kernels compile on first use instead"
	@# jupyter_config/: the course's server settings (widget messages leave the kernel status alone)
	@# --allow-root only when root (a container's default user): JupyterLab refuses to start as root otherwise
	OPENBLAS_NUM_THREADS=$${OPENBLAS_NUM_THREADS:-1} JUPYTER_CONFIG_PATH=$(CURDIR)/jupyter_config$${JUPYTER_CONFIG_PATH:+:$$JUPYTER_CONFIG_PATH} $(PY) -m jupyter lab notebooks/ $$([ "$$(id -u)" = 0 ] && echo --allow-root) $(LAB_ARGS)

# After editing instructor/chapters/ or instructor/checks/: re-record the learners' check data (shipped in the
# package, answers only as salted hashes) and regenerate the learners' copies in notebooks/ (tests keep all in sync).
release: setup  ## re-record the check data and regenerate notebooks/ (learners' copies) from instructor/
	$(VENV)/bin/dlcourse record-checks
	$(VENV)/bin/dlcourse release instructor/chapters notebooks --overwrite

warmup: setup  ## compile the Numba kernels into the on-disk cache
	$(VENV)/bin/dlcourse warmup

lint: test-deps  ## ruff: lint package, tests, notebooks and benchmarks; check formatting
	$(VENV)/bin/ruff check $(LINT_PATHS)
	$(VENV)/bin/ruff format --check $(FORMAT_PATHS)

# OPENBLAS_NUM_THREADS=1: the course's matrices are small, and on a shared 2-core machine BLAS threads
# spinning against the notebook kernels made small matmuls ~10x slower (measured in chapter 10).
test: test-deps oracles lint  ## lint, unit tests, every notebook under nbval, browser tests (if Chromium exists)
	OPENBLAS_NUM_THREADS=1 $(PY) -m pytest $(TEST_PATHS) $(NBVAL_ARGS) --timeout=900 $(PYTEST_ARGS)

# One BLAS thread for dlcourse's NumPy, as `make lab` gives learners; PyTorch keeps its default threads.
bench: test-deps oracles  ## workloads vs PyTorch, start-up, chapters' time/memory, grading speed (benchmarks/run.py)
	OPENBLAS_NUM_THREADS=$${OPENBLAS_NUM_THREADS:-1} $(PY) benchmarks/run.py $(BENCH_ARGS)

# The live apps' frame rate where learners see them: JupyterLab in headless Chromium (needs /usr/bin/chromium).
bench-browser: test-deps  ## frames per second of every live app in JupyterLab (benchmarks/browser_fps.py)
	OPENBLAS_NUM_THREADS=$${OPENBLAS_NUM_THREADS:-1} $(PY) benchmarks/browser_fps.py $(BENCH_ARGS)  # as make lab runs kernels

# --- the course website (docs/book/): Sphinx + myst-nb + sphinx-book-theme, built and checked offline -----
# Its tools are in neither lock: docs/requirements.txt pins them, installed into .venv with both locks as
# constraints (no locked package moves; the check drives Chromium with the test lock's Playwright). MathJax
# comes from npm (docs/book/package-lock.json), never a CDN.
BOOK_STAMP := $(VENV)/.stamp-book
BOOK_NPM := build/book-npm
MATHJAX := $(BOOK_NPM)/node_modules/mathjax/es5/tex-chtml.js
BOOK_ARGS ?=
BOOK_CHECK_ARGS ?=

$(BOOK_STAMP): docs/requirements.txt $(TEST_STAMP)
	$(PY) -m pip install --quiet -r docs/requirements.txt -c $(LOCK) -c $(TEST_LOCK)
	$(PY) -m pip check
	@touch $@

$(MATHJAX): docs/book/package.json docs/book/package-lock.json
	@command -v npm >/dev/null || { echo "error: make book needs npm (Node.js) to install MathJax" >&2; exit 1; }
	mkdir -p $(BOOK_NPM) && cp docs/book/package.json docs/book/package-lock.json $(BOOK_NPM)/
	cd $(BOOK_NPM) && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	@touch $@

book-tools: $(BOOK_STAMP) $(MATHJAX)  ## install the book's tools (Sphinx, myst-nb, the theme; MathJax from npm)

book: book-tools  ## build the course website into build/book/ (chapters run, apps recorded), then check it
	OPENBLAS_NUM_THREADS=1 $(PY) docs/book/build.py $(BOOK_ARGS)
	$(PY) docs/book/check.py build/book $(BOOK_CHECK_ARGS)

book-check: book-tools  ## check the built site: links, leaks, offline assets; every page in headless Chromium
	$(PY) docs/book/check.py build/book $(BOOK_CHECK_ARGS)

animations: setup  ## re-record the README's animated pictures (docs/img/*.webp) from the apps
	$(PY) docs/book/scenes.py docs/img --readme

clean:  ## remove caches, build leftovers, Numba caches and artifacts/ (keeps .venv)
	rm -rf artifacts build dist .pytest_cache .ruff_cache .hypothesis *.egg-info
	find . -path ./$(VENV) -prune -o \( -name __pycache__ -o -name .ipynb_checkpoints \) -type d -prune \
		-exec rm -rf {} +

distclean: clean  ## clean, and remove .venv too
	rm -rf $(VENV)
