# Tiered regulatory sandbox: `make run` and `make test` do all set-up.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# durable-rules frees each session's memory; keep glibc from returning it to the OS
# every time (shared/DURABLE_NOTES.md, note 10).
export MALLOC_TRIM_THRESHOLD_ := 268435456
export MALLOC_TOP_PAD_ := 67108864
export MALLOC_MMAP_THRESHOLD_ := 33554432

.PHONY: help install run test lint typecheck pytest api-check bench goldens clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "needs $(PYTHON) on PATH"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP) ## create .venv and install the project with the `sandbox` command

run: $(STAMP) ## record and print the bundled example cases, then serve the web workbench at / and the HTTP API (docs at /docs) on 127.0.0.1:8000
	$(BIN)/sandbox cases load-examples
	$(BIN)/sandbox examples
	$(BIN)/sandbox serve --host 127.0.0.1 --port 8000 --next-free-port --demo-keys

test: lint typecheck pytest ## ruff, mypy and pytest

lint: $(STAMP) ## ruff check and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP) ## mypy --strict
	$(BIN)/mypy

pytest: $(STAMP) ## the test suite
	$(BIN)/pytest

api-check: $(STAMP) ## schemathesis against a live server on loopback (CI runs it after `make test`)
	bash .ci/api_check.sh

bench: $(STAMP) ## benchmarks, the HTTP load run included (never part of `make test`)
	$(BIN)/python bench/run.py

goldens: $(STAMP) ## rewrite the golden decisions of the examples (on purpose only)
	$(BIN)/python -m cases.goldens

clean: ## remove the virtual environment and caches
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
