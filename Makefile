# ainav: `make dev` runs the whole stack on this machine, `make test` runs the tests.
# Both need only python3 (3.11+) and make; the virtualenv is created or updated on demand.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: dev test lint fmt migrate venv clean

venv: $(STAMP)

# Re-installs only when pyproject.toml changed since the last install, so a second run is quick.
$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "ainav needs Python 3.11 or newer")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip setuptools wheel
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

dev: $(STAMP)
	$(BIN)/python -m infra.local

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/cfn-lint template.yaml

fmt: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Apply migrations to DATABASE_URL (the embedded default applies them itself on start).
migrate: $(STAMP)
	$(BIN)/python -m shared.migrations upgrade

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
