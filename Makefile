PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
DB ?= data/warehouse.duckdb

DEMO := data/demo
PORT ?= 8501

.PHONY: test lint bench clean demo demo-data system-deps faults

$(VENV): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test,dashboard,ocr]'
	touch $(VENV)

test: $(VENV) system-deps
	$(BIN)/ruff check etl dashboard tests bench
	$(BIN)/ruff format --check etl dashboard tests bench
	$(BIN)/python -m pytest

# Debian's Chromium (the browser test drives it through Playwright), CJK fonts, and the PostgreSQL
# server programs (the review-store tests start and stop a server of their own; no service is run).
system-deps:
	@missing=""; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || missing="$$missing fonts-noto-cjk"; \
	ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || missing="$$missing postgresql"; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
		else echo "需要安装：sudo apt-get install$$missing"; fi; \
	fi

lint: $(VENV)
	$(BIN)/ruff check etl dashboard tests bench
	$(BIN)/ruff format --check etl dashboard tests bench

# make demo: environment, then dashboard.demo: on a first start the real samples and a first part of the
# demo corpus are loaded and the dashboard serves while the rest is generated and loaded in the background
# (the pages say so); a later start only starts the dashboard. demo-data does it all in the foreground.
demo: $(VENV)
	$(BIN)/python -m dashboard.demo --db $(DB) --corpus $(DEMO) --port $(PORT)

demo-data: $(VENV)
	$(BIN)/python -m dashboard.demo --db $(DB) --corpus $(DEMO) --no-serve

clean:
	rm -rf $(VENV) .pytest_cache

# the long fault-injection loop: SIGKILL a load at 60 random points
faults: $(VENV)
	GOVREPORT_KILL_POINTS=60 $(BIN)/python -m pytest -q tests/test_warehouse.py -k killed

# the benchmark suite (not part of make test): prints a table and writes BENCHMARKS.md (~15 min)
bench: $(VENV) system-deps
	$(BIN)/python bench/run.py
