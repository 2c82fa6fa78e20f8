# The two commands a newcomer needs: `make run` and `make test`. Everything else is set-up
# they do for you on a fresh machine where PostgreSQL, Redis and RabbitMQ are reachable.
SHELL := /bin/bash
.DEFAULT_GOAL := help
PYTHON ?= python3
UV := $(shell command -v uv 2>/dev/null || echo .devstack/uv/bin/uv)
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: help install frontend browser run test test-unit test-e2e lint format audit bench clean

help:
	@echo "make run    - install, create databases, migrate, run every service (gateway :8000)"
	@echo "make test   - install, then the whole test suite against real PostgreSQL/Redis/RabbitMQ"
	@echo "make frontend - build the web UI (frontend/dist, served by the gateway at /)"
	@echo "make lint   - ruff check and format check"
	@echo "make audit  - known vulnerabilities in uv.lock (pip-audit) and the web UI's lock (npm audit)"
	@echo "make bench  - benchmarks (see docs/performance.md)"

# uv itself comes from PyPI when the machine does not have it.
.devstack/uv/bin/uv:
	$(PYTHON) -m venv .devstack/uv
	.devstack/uv/bin/pip install --quiet --disable-pip-version-check uv

$(VENV)/.installed: pyproject.toml uv.lock $(wildcard */pyproject.toml services/*/pyproject.toml tools/*/pyproject.toml) | $(UV)
	$(UV) sync --all-packages --frozen --python $(PYTHON)
	@touch $@

install: $(VENV)/.installed

# The web UI: npm ci from the committed lock, then tsc + Vite into frontend/dist, rebuilt
# only when a source, the lock or the OpenAPI snapshot changed.
WEB_SOURCES := $(shell find frontend/src frontend/public -type f 2>/dev/null) \
	frontend/index.html frontend/vite.config.ts frontend/tsconfig.json frontend/openapi.json

frontend/node_modules/.package-lock.json: frontend/package.json frontend/package-lock.json
	@command -v npm >/dev/null || { echo "npm not found: the web UI needs Node.js 20+ and npm"; exit 1; }
	cd frontend && npm ci --no-audit --no-fund
	@touch $@

frontend/dist/index.html: frontend/node_modules/.package-lock.json $(WEB_SOURCES)
	cd frontend && npm run build

frontend: frontend/dist/index.html

# Debian's chromium for the browser tests (as root, only when missing; never a download
# of Playwright's own browser).
browser:
	bash tests/browser/install-chromium.sh

run: install frontend
	$(PY) -m servicedesk_devtools.devstack run

test: install frontend browser
	cd frontend && npm test
	$(PY) -m pytest

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Known vulnerabilities in what the locks pin, not in whatever is installed: uv.lock's
# hashed pins (workspace members left out; hashes let pip-audit skip pip's resolver,
# --disable-pip) through pip-audit against PyPI's advisory service,
# then frontend/package-lock.json through npm audit. Both run; either finding fails it.
# Needs the network (pypi.org's JSON API, the npm registry); not part of `make test`.
# --strict: a pin the service cannot look up fails the audit instead of being skipped.
PIP_AUDIT := pip-audit@2.10.1

audit: | $(UV)
	@set -o pipefail; status=0; \
	$(UV) export --frozen --all-packages --format requirements-txt --no-emit-workspace \
		| $(UV) tool run $(PIP_AUDIT) --requirement /dev/stdin --disable-pip --strict \
			--progress-spinner off || status=1; \
	(cd frontend && npm audit --package-lock-only) || status=1; \
	exit $$status

bench: install
	bash bench/run.sh

clean:
	rm -rf $(VENV) .devstack .pytest_cache .ruff_cache frontend/node_modules frontend/dist
