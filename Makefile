# ainav: `make dev` runs the whole stack on this machine, `make test` runs the tests.
# Both need only python3 (3.11+) and make; the virtualenv and the embedding model are built on demand.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
EXPORT_STAMP := $(VENV)/.export-installed
TORCH_VERSION := 2.13.0
MODEL_DIR := layers/embedding/model
MODEL := $(MODEL_DIR)/manifest.json

.PHONY: dev test lint fmt migrate superuser model layers package venv clean docs deploy destroy

venv: $(STAMP)

# Re-installs only when pyproject.toml changed since the last install, so a second run is quick.
$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "ainav needs Python 3.11 or newer")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip setuptools wheel
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

# The export toolchain: torch (CPU) first, by exact version, then the rest of the `export` extra.
$(EXPORT_STAMP): pyproject.toml | $(STAMP)
	@echo "[model] installing the export toolchain (torch $(TORCH_VERSION) CPU, sentence-transformers, onnx) ..."
	$(BIN)/python -m pip install --quiet torch==$(TORCH_VERSION)
	$(BIN)/python -m pip install --quiet -e '.[dev,export]'
	@touch $(EXPORT_STAMP)

# Rebuilt when missing or older than its recipe.
$(MODEL): infra/model/export.py infra/model/candidates.py infra/model/parity.py infra/model/corpus.py | $(EXPORT_STAMP)
	$(BIN)/python -m infra.model.export --output $(MODEL_DIR)

model: $(MODEL)

# Lambda layers for python3.12 arm64, built with pip --platform (no Docker); fails past 250 MB.
layers: $(STAMP) $(MODEL)
	$(BIN)/python layers/build.py

package: $(STAMP) $(MODEL)
	$(BIN)/python layers/build.py --zip

dev: $(STAMP) $(MODEL)
	$(BIN)/python -m infra.local

# The official 1.x MCP SDK in a Python of its own (the suite has 2.x): /v1/mcp is tested with both clients.
MCP_V1 := .local/mcp-v1
MCP_V1_VERSION := 1.30.0
$(MCP_V1)/.installed:
	@echo "[test] installing the 1.x MCP client (mcp==$(MCP_V1_VERSION)) into $(MCP_V1) ..."
	@test -x $(MCP_V1)/bin/python || $(PYTHON) -m venv $(MCP_V1)
	$(MCP_V1)/bin/python -m pip install --quiet "mcp==$(MCP_V1_VERSION)"
	@touch $@

test: $(STAMP) $(MODEL) $(MCP_V1)/.installed
	AINAV_MCP_V1_PYTHON=$(MCP_V1)/bin/python $(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/cfn-lint template.yaml infra/aws/data.yaml

fmt: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Apply migrations to DATABASE_URL (the embedded default applies them itself on start).
migrate: $(STAMP)
	$(BIN)/python -m shared.migrations upgrade
# docs/settings.md from the settings' descriptions (a test fails when it is stale)
docs: $(STAMP)
	$(BIN)/python -m infra.docs.settings --write

# The first superuser, in DATABASE_URL (the password is asked): make superuser EMAIL=you@example.com USERNAME=you
superuser: $(STAMP)
	$(BIN)/python -m shared.users create-superuser --email "$(EMAIL)" --username "$(USERNAME)"

# AWS, guided (docs/deploy.md): layers, the data tier if asked, the application, the migrations, the API URL and
# the production settings still missing. Options after ARGS=, e.g. ARGS="--data-tier deploy" or ARGS=--dry-run.
deploy: $(STAMP)
	$(BIN)/python -m infra.deploy deploy $(ARGS)

# Says what it deletes first; keeps the database unless ARGS=--delete-data.
destroy: $(STAMP)
	$(BIN)/python -m infra.deploy destroy $(ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache $(MODEL_DIR) layers/*/build dist
