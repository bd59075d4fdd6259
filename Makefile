# Sillage: two commands on a fresh machine.
#   make run   installs, migrates, seeds demo data and serves http://127.0.0.1:8000/
#   make test  installs and runs the whole test suite (add DATABASE_URL=... for PostgreSQL)

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
# Sillage's apps, bottom layer first (docs/architecture.md).
APPS   := core audit vault accounts consents brands webhooks regulator analytics portal config

.PHONY: install run test lint typecheck layers browser bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@echo ""
	@echo "  Sillage is running at http://$(HOST):$(PORT)/  (Ctrl-C to stop)"
	@echo ""
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

browser:
	@scripts/ensure-chromium

test: install browser
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check .

# The layers contract (pyproject.toml [tool.importlinter]): no app imports one above it.
layers: install
	$(BIN)/lint-imports

typecheck: install
	$(BIN)/mypy $(APPS)

bench: install
	$(BIN)/python bench/import_bench.py
	$(BIN)/python bench/audit_bench.py
	$(BIN)/python bench/insights_bench.py
	$(BIN)/python bench/api_bench.py

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache .mypy_cache
