PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
DB ?= data/warehouse.duckdb

.PHONY: test lint bench clean

$(VENV): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test,dashboard]'
	touch $(VENV)

test: $(VENV)
	$(BIN)/ruff check etl tests
	$(BIN)/python -m pytest

lint: $(VENV)
	$(BIN)/ruff check etl tests
	$(BIN)/ruff format --check etl tests

clean:
	rm -rf $(VENV) .pytest_cache

bench: $(VENV)
	$(BIN)/python bench/parse_throughput.py 2000 --full
