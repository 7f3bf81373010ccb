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
	$(BIN)/python -m vodcover_dev.demo

.PHONY: test
test: $(STAMP) ## Run the whole test suite (unit, media, integration, browser)
	bash scripts/install_browser.sh
	$(BIN)/python -m pytest $(PYTEST_ARGS)

BENCH_STAMP := $(VENV)/.installed-bench
BENCH_ARGS ?=

$(BENCH_STAMP): $(STAMP) pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	touch $(BENCH_STAMP)

.PHONY: bench
bench: $(BENCH_STAMP) ## Every benchmark (~15-25 min): table, bench/results/latest.json, BENCHMARKS.md (BENCH_ARGS=--with-build)
	$(BIN)/python -m bench.run $(BENCH_ARGS)

.PHONY: bench-quick
bench-quick: $(BENCH_STAMP) ## Reduced benchmark in under 2 minutes (writes build/bench-cache/quick.json)
	$(BIN)/python -m bench.run --quick $(BENCH_ARGS)

.PHONY: soak
soak: $(STAMP) ## Load the local stack with concurrent signed clients (SOAK_CLIENTS=8 SOAK_SECONDS=120); fails on any lost update
	$(BIN)/python bench/soak.py --clients $(or $(SOAK_CLIENTS),8) --seconds $(or $(SOAK_SECONDS),120)

# checkov pins boto3/botocore below what moto needs: it lives in its own virtual environment.
SECURITY_VENV := .venv-security
CHECKOV := $(SECURITY_VENV)/bin/checkov
$(CHECKOV): pyproject.toml
	$(PYTHON) -m venv $(SECURITY_VENV)
	$(SECURITY_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(SECURITY_VENV)/bin/python -m pip install --quiet 'checkov>=3.2,<4'
	touch $(CHECKOV)

.PHONY: security
security: $(STAMP) $(CHECKOV) ## checkov on template.yaml (every skip justified in it) and the template security tests
	$(CHECKOV) -f template.yaml --framework cloudformation --compact --quiet
	$(BIN)/python -m pytest tests/reliability/test_template_security.py tests/test_template.py -q

.PHONY: screenshots
screenshots: $(STAMP) ## Retake the console screenshots in docs/images (headless Chromium)
	bash scripts/install_browser.sh
	$(BIN)/python scripts/console_screenshots.py

.PHONY: openapi
openapi: $(STAMP) ## Regenerate openapi.yaml from the API routes and models (a test fails when it is stale)
	$(BIN)/python scripts/openapi.py

.PHONY: lint
lint: $(STAMP) ## ruff and mypy
	$(BIN)/ruff check layers dev functions tests bench scripts
	$(BIN)/ruff format --check layers dev functions tests bench scripts
	$(BIN)/mypy layers/shared/vodcover
	$(BIN)/mypy dev/vodcover_dev
	for app in functions/*/app.py; do $(BIN)/mypy "$$app" || exit 1; done

# AWS SAM CLI lives in its own virtual environment: its pinned dependencies clash with ours.
SAM_VENV := .venv-sam
SAM := $(SAM_VENV)/bin/sam
SAM_CLI_VERSION ?= >=1.170,<2
# Lambda architecture for build and deploy: arm64 (default) or x86_64. sam tells makefile
# builds nothing about it, so the layer Makefiles read LAMBDA_ARCHITECTURE.
ARCH ?= arm64
export SAM_CLI_TELEMETRY ?= 0

$(SAM):
	$(PYTHON) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(SAM_VENV)/bin/python -m pip install --quiet 'aws-sam-cli$(SAM_CLI_VERSION)'

.PHONY: validate
validate: $(STAMP) $(SAM) ## Lint the SAM template: cfn-lint and sam validate --lint (offline)
	$(BIN)/cfn-lint template.yaml
	$(SAM) validate --lint

.PHONY: build
build: $(STAMP) $(SAM) ## sam build for ARCH=arm64|x86_64, no Docker (pip --platform), then check sizes
	LAMBDA_ARCHITECTURE=$(ARCH) PYTHON=$(abspath $(SAM_VENV))/bin/python \
		$(SAM) build --parameter-overrides Architecture=$(ARCH)
	$(BIN)/python scripts/check_build.py --arch $(ARCH)

.PHONY: deploy
deploy: build ## sam deploy (--guided the first time, when there is no samconfig.toml)
	@if [ -f samconfig.toml ]; then \
		$(BIN)/python scripts/check_build.py --arch $(ARCH) --samconfig samconfig.toml --quiet && $(SAM) deploy; \
	else \
		$(SAM) deploy --guided --parameter-overrides Architecture=$(ARCH); \
	fi

.PHONY: clean
clean: ## Remove build output, caches and the virtual environment
	rm -rf .aws-sam build .pytest_cache .mypy_cache .ruff_cache $(VENV) $(SAM_VENV) $(SECURITY_VENV)
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
