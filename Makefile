# Jixiao Ledger (绩效台账). Needs only python3 and make: the first target run builds .venv
# from the hash-pinned requirements.lock.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test bench bench-ui rebuild clean lock ui

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=23.1"
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

## Start the service with the demo bureau on embedded SQLite: http://127.0.0.1:8000 (docs at /docs)
run: $(STAMP)
	$(BIN)/jixiao run

## Run the tests against real SQLite stores (and PostgreSQL when JIXIAO_TEST_POSTGRES_URL is set), the UI in Debian chromium
test: $(STAMP)
	$(BIN)/python -m pytest

## The web UI: bundle sizes, first render of the home page (median of runs), and the README screenshots
bench-ui: $(STAMP)
	$(BIN)/python bench/ui.py --screenshots

## Benchmarks against raw SQLite on this machine (medians of several runs), ending with issue 14's table
## as ratios: read throughput over HTTP as ratios to GET /me; the command path in process (one client,
## 8 clients with group commit) and over HTTP; the bulk load; rebuild; annual update; as-of latency
## on a 1M-event store (built once into var/bench/as_of.db, a few minutes)
bench: $(STAMP)
	$(BIN)/python -c "from bench.results import reset; reset()"
	$(BIN)/python bench/reads.py
	$(BIN)/python bench/command_rate.py
	$(BIN)/python bench/http_commands.py
	$(BIN)/python bench/rebuild.py
	$(BIN)/python bench/annual.py
	$(BIN)/python bench/as_of.py
	$(BIN)/python bench/summary.py

## Rebuild the web UI into web/dist (committed, so `make run` needs no Node); needs Node.js and npm
ui:
	cd web && npm ci --no-audit --no-fund && npm run build

rebuild: $(STAMP)
	$(BIN)/jixiao rebuild

## Re-resolve requirements.lock from pyproject.toml (maintainers only)
lock: $(STAMP)
	$(BIN)/python -m pip install --quiet pip-tools
	$(BIN)/pip-compile --quiet --generate-hashes --no-emit-index-url --no-emit-find-links --extra test --strip-extras -o requirements.lock pyproject.toml

clean:
	rm -rf $(VENV) var .pytest_cache
