# vodcover — the front door. `make help` lists every target.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=

.DEFAULT_GOAL := help

.PHONY: help
help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[1m%-12s\033[0m %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

.PHONY: venv
venv: $(STAMP) ## Create the virtual environment with everything installed

.PHONY: demo
demo: $(STAMP) ## Run the whole story on the embedded local stack (no AWS, no Docker)
	$(BIN)/python -m vodcover.demo

.PHONY: test
test: $(STAMP) ## Run the whole test suite (unit, media, integration)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

.PHONY: lint
lint: $(STAMP) ## ruff and mypy
	$(BIN)/ruff check layers functions tests
	$(BIN)/ruff format --check layers functions tests
	$(BIN)/mypy layers/shared/vodcover functions

.PHONY: validate
validate: $(STAMP) ## Lint the SAM template (cfn-lint; sam validate --lint when SAM CLI is installed)
	$(BIN)/cfn-lint template.yaml

.PHONY: build
build: $(STAMP) ## sam build (no Docker needed: layers are built with pip --platform)
	sam build

.PHONY: deploy
deploy: build ## sam deploy --guided
	sam deploy --guided

.PHONY: clean
clean: ## Remove build output, caches and the virtual environment
	rm -rf .aws-sam build .pytest_cache .mypy_cache .ruff_cache $(VENV)
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
