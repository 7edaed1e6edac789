# ntp-atlas: `make help` lists the targets.
# Everything runs inside a local virtual environment (.venv) built from PyPI.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PROVINCE ?= 20
YEAR ?= 2023
LANG_ ?= vi
JOBS ?= 2

.DEFAULT_GOAL := help
.PHONY: help setup report prepare prepare-2026 sample maps docs test test-fast lint lab bench fuzz memory clean system-deps

help: ## Show this help
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  make %-12s %s\n", $$1, $$2}'
	@echo "  Variables: PROVINCE=$(PROVINCE) YEAR=$(YEAR) LANG_=$(LANG_) JOBS=$(JOBS)"

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) not found; install Python 3.11 or run 'make PYTHON=python3 ...'"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,lab]'
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (ntp-atlas)" >/dev/null
	@touch $(STAMP)

setup: $(STAMP) ## Create .venv and install ntp-atlas with its dependencies

prepare: setup ## Validate and join the sample data into data/processed/
	$(BIN)/ntp-atlas prepare

prepare-2026: setup ## Validate the sample's 2026 tables (by the communes of 1/7/2025) into data/processed-2026/
	$(BIN)/ntp-atlas prepare --finance data/sample/2026/finance.csv --poverty data/sample/2026/poverty.csv \
		--communes data/sample/2026/communes.csv --out data/processed-2026

report: prepare prepare-2026 ## MAIN JOB: prepare the sample data, render the sample province's 2023 reports and its 2026 reports by the new communes into reports/
	$(BIN)/ntp-atlas batch --province $(PROVINCE) --year $(YEAR) --lang $(LANG_) --jobs $(JOBS)
	$(BIN)/ntp-atlas batch --province $(PROVINCE) --year 2026 --lang $(LANG_) --jobs $(JOBS) --data data/processed-2026

sample: setup ## Rebuild data/sample/ with the deterministic generator
	$(BIN)/ntp-atlas sample

maps: prepare ## Export every map of the sample province for print (PNG 300 dpi, SVG, PDF, atlas)
	$(BIN)/ntp-atlas maps --province $(PROVINCE) --year $(YEAR) --lang $(LANG_) --jobs $(JOBS)

docs: setup ## Regenerate docs/img/ (the maps in docs/maps.md) and docs/bad-inputs.md
	$(BIN)/ntp-atlas maps --docs
	$(BIN)/python -m tests.bad_inputs_doc --write-docs

system-deps: ## Install the Debian packages the tests use (chromium, poppler-utils, LibreOffice Writer) when run as root
	@bash scripts/system-deps.sh

test: setup system-deps ## Set everything up and run the full test suite
	$(BIN)/python -m pytest

test-fast: setup ## Run the tests without the slow end-to-end ones
	$(BIN)/python -m pytest -m "not slow"

lint: setup ## Lint with ruff and check the layers' import contracts (lint-imports, docs/architecture.md)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/lint-imports

lab: setup prepare ## Open JupyterLab on notebooks/ with the project's environment
	$(BIN)/jupyter lab notebooks/

bench: prepare ## Run the benchmarks (figures in benchmarks/results/)
	$(BIN)/python benchmarks/run.py

fuzz: setup ## Fuzz the CSV/XLSX readers with 5,000 mutated files (crashes in benchmarks/results/fuzz/)
	$(BIN)/python benchmarks/fuzz_readers.py --iterations 5000 --seed 1

memory: setup ## Peak memory of prepare on the two hostile inputs of issue #17 (goal: under 1 GB each)
	$(BIN)/python benchmarks/memory.py

clean: ## Remove generated data and reports (keeps .venv)
	rm -rf data/processed reports/*/ reports/index.html
