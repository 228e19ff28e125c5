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

# The web app: installed from its lock file and built (types generated from the SDL first) only
# when something it is made of changed. No browser is ever downloaded.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1
WEB_SOURCES := $(shell find web/src web/public web/index.html web/vite.config.ts web/codegen.ts \
	web/tsconfig.json -path web/src/gql -prune -o -type f -print 2>/dev/null)

web: $(if $(wildcard web/package.json),web/dist/index.html)

web/node_modules/.installed: web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund --loglevel=error
	touch $@

web/dist/index.html: web/node_modules/.installed $(WEB_SOURCES) schema/schema.graphql
	cd web && npm run build

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
