# Two commands do everything on a fresh clone: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV := $(BIN)/uv
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: run test bench lint typecheck schema stop clean web

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(UV): | $(BIN)/python
	$(BIN)/pip install --quiet uv==0.13.8

# The lock file is the source of truth; `uv sync --frozen` installs exactly it.
$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --quiet
	touch $@

web:
	@if [ -f web/package.json ]; then cd web && npm ci --no-audit --no-fund && npm run build; fi

run: $(VENV)/.synced web
	$(BIN)/python -m server.cli serve

test: $(VENV)/.synced web
	$(BIN)/ruff check server schema workers tests
	$(BIN)/ruff format --check server schema workers tests
	$(BIN)/mypy
	$(BIN)/python -m pytest

bench: $(VENV)/.synced
	$(BIN)/python -m pytest -m bench -p no:randomly -o addopts="" tests/bench

lint: $(VENV)/.synced
	$(BIN)/ruff check --fix server schema workers tests
	$(BIN)/ruff format server schema workers tests

typecheck: $(VENV)/.synced
	$(BIN)/mypy

schema: $(VENV)/.synced
	$(BIN)/python -m server.cli export-schema

stop: $(VENV)/.synced
	$(BIN)/python -m server.cli embedded stop

clean:
	rm -rf $(VENV) var
