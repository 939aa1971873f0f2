PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
DB ?= data/warehouse.duckdb

DEMO := data/demo
PORT ?= 8501

.PHONY: test lint bench clean demo demo-data

$(VENV): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test,dashboard]'
	touch $(VENV)

test: $(VENV)
	$(BIN)/ruff check etl dashboard tests bench
	$(BIN)/python -m pytest

lint: $(VENV)
	$(BIN)/ruff check etl dashboard tests bench
	$(BIN)/ruff format --check etl dashboard tests

# make demo: environment, demo corpus, warehouse, then the dashboard. A second run reuses them.
demo: $(DB)
	@echo "仪表板地址 / dashboard: http://localhost:$(PORT)"
	$(BIN)/streamlit run dashboard/app.py --server.headless true --server.port $(PORT) \
		--browser.gatherUsageStats false -- --db $(DB)

demo-data: $(DB)

$(DEMO)/.demo-corpus: | $(VENV)
	rm -rf $(DEMO)
	$(BIN)/python -m etl demo-corpus $(DEMO)

$(DB): $(DEMO)/.demo-corpus
	$(BIN)/python -m etl load $(DEMO) tests/fixtures/samples --registry $(DEMO)/registry.csv --db $(DB)

clean:
	rm -rf $(VENV) .pytest_cache

bench: $(VENV)
	$(BIN)/python bench/parse_throughput.py 2000 --full
