# The two commands a newcomer needs: `make run` and `make test`. Everything else is set-up
# they do for you on a fresh machine where PostgreSQL, Redis and RabbitMQ are reachable.
SHELL := /bin/bash
.DEFAULT_GOAL := help
PYTHON ?= python3
UV := $(shell command -v uv 2>/dev/null || echo .devstack/uv/bin/uv)
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: help install run test test-unit test-e2e lint format bench clean

help:
	@echo "make run    - install, create databases, migrate, run every service (gateway :8000)"
	@echo "make test   - install, then the whole test suite against real PostgreSQL/Redis/RabbitMQ"
	@echo "make lint   - ruff check and format check"
	@echo "make bench  - benchmarks (see docs/performance.md)"

# uv itself comes from PyPI when the machine does not have it.
.devstack/uv/bin/uv:
	$(PYTHON) -m venv .devstack/uv
	.devstack/uv/bin/pip install --quiet --disable-pip-version-check uv

$(VENV)/.installed: pyproject.toml uv.lock $(wildcard */pyproject.toml services/*/pyproject.toml) | $(UV)
	$(UV) sync --all-packages --frozen --python $(PYTHON)
	@touch $@

install: $(VENV)/.installed

run: install
	$(PY) -m servicedesk_shared.devstack run

test: install
	$(PY) -m pytest

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: install
	bash bench/run.sh

clean:
	rm -rf $(VENV) .devstack .pytest_cache .ruff_cache
