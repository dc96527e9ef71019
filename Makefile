# Two commands from a fresh clone: `make demo` and `make test`. Each builds its own environment.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench bench-quick setup clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	$(BIN)/python -m compileall -q dvk_xl  # .pyc as an installed package has: else, with PYTHONDONTWRITEBYTECODE, every dvk run compiles them
	touch $(STAMP)

setup: $(STAMP)

demo: $(STAMP)
	$(BIN)/dvk demo dvk-demo --force

lint: $(STAMP)
	$(BIN)/ruff check dvk_xl tests benchmarks
	$(BIN)/lint-imports

test: $(STAMP)
	bash scripts/install-libreoffice.sh
	$(BIN)/ruff check dvk_xl tests benchmarks
	$(BIN)/lint-imports  # the layers contract in pyproject.toml
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/python benchmarks/bench.py

bench-quick: $(STAMP)
	$(BIN)/python benchmarks/bench.py --quick

clean:
	rm -rf $(VENV) dvk-demo .pytest_cache .ruff_cache
