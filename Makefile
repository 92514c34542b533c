# Metepec *7311 — everything a developer or CI runs.
#   make run    set up, load reference + demo data, serve http://127.0.0.1:8000/
#   make test   the whole test suite (SQLite by default; DATABASE_URL/REDIS_URL to use services)
#   make stack  web + Celery worker + beat on PostgreSQL/Redis from the environment
#   make lint   ruff
#   make bench  the speed table at 1 M and 10 M tickets on PostgreSQL (docs/performance.md);
#               make bench-quick: the same table at 100,000 tickets in a few minutes;
#               make bench-api: the APIs only; make bench-import: the history import only
#   make load   200 residents filing reports while Redis restarts and a worker is killed (docs/reliability.md)

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/metepec7311_bench
BENCH_TICKETS ?= 1000000
BENCH_SIZES ?= 1000000,10000000
BENCH_REDIS_URL ?= redis://127.0.0.1:6379/5
BENCH_IMPORT_ROWS ?= 100000
BENCH_QUICK_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/metepec7311_quick
BENCH_QUICK_TICKETS ?= 100000
LOAD_ARGS ?=

.PHONY: setup run stack test lint format bench bench-quick bench-tools bench-db bench-api bench-import load ci clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (set PYTHON=python3.x)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	@touch $@

setup: $(VENV)/.installed

run: setup
	DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DEBUG=1 $(BIN)/python manage.py load_reference_data
	DEBUG=1 $(BIN)/python manage.py demo_users
	DEBUG=1 $(BIN)/python manage.py seed_demo --if-empty
	DEBUG=1 $(BIN)/python manage.py recompute_stats
	@echo ""
	@echo "  Portal:  http://127.0.0.1:$(PORT)/"
	@echo "  Admin:   http://127.0.0.1:$(PORT)/admin/   (cuentas arriba)"
	@echo ""
	DEBUG=1 $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# Full stack for local work: web + Celery worker with beat, on the services in the
# environment (REDIS_URL required; DATABASE_URL for PostgreSQL). Ctrl-C stops all of it.
stack: setup
	@test -n "$$REDIS_URL" || { echo "make stack needs REDIS_URL, e.g. REDIS_URL=redis://127.0.0.1:6379/0"; exit 2; }
	DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DEBUG=1 $(BIN)/python manage.py load_reference_data
	DEBUG=1 $(BIN)/python manage.py demo_users
	DEBUG=1 $(BIN)/python manage.py seed_demo --if-empty
	trap 'kill 0' INT TERM EXIT; \
	DEBUG=1 $(BIN)/celery -A metepec7311 worker --beat -l info --schedule $(VENV)/celerybeat-schedule & \
	DEBUG=1 $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: setup
	$(BIN)/pytest

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

BENCH_ENV = DATABASE_URL=$(BENCH_DATABASE_URL) SECRET_KEY=bench-only ALLOWED_HOSTS=testserver STATIC_MANIFEST=0 REDIS_URL=$(BENCH_REDIS_URL)

# wrk makes the pages' load in the speed table (Debian's package; root, as CI installs Chromium).
bench-tools:
	@command -v wrk >/dev/null 2>&1 || { echo "installing wrk"; apt-get install -y -q wrk >/dev/null \
	  || { apt-get update -q && apt-get install -y -q wrk >/dev/null; }; }

bench-db: setup bench-tools
	@psql -h 127.0.0.1 -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'metepec7311_bench'" | grep -q 1 \
	  || psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE metepec7311_bench"
	$(BENCH_ENV) $(BIN)/python manage.py migrate --noinput -v0
	$(BENCH_ENV) $(BIN)/python manage.py load_reference_data -v0
	$(BENCH_ENV) $(BIN)/python manage.py bench_speed --sizes $(BENCH_TICKETS) --only none

# The speed table (stats/management/commands/bench_speed.py) at each of BENCH_SIZES, growing the
# database in place (1 M demo tickets, then synthetic ones), after the history import's ratio.
bench: bench-db
	$(BENCH_ENV) $(BIN)/python manage.py bench_import --rows $(BENCH_IMPORT_ROWS)
	$(BENCH_ENV) $(BIN)/python manage.py bench_speed --sizes $(BENCH_SIZES)

# The same table at 100,000 tickets, in its own database, with shorter rounds.
BENCH_QUICK_ENV = DATABASE_URL=$(BENCH_QUICK_DATABASE_URL) SECRET_KEY=bench-only ALLOWED_HOSTS=testserver STATIC_MANIFEST=0 REDIS_URL=redis://127.0.0.1:6379/7

bench-quick: setup bench-tools
	@psql -h 127.0.0.1 -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'metepec7311_quick'" | grep -q 1 \
	  || psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE metepec7311_quick"
	$(BENCH_QUICK_ENV) $(BIN)/python manage.py migrate --noinput -v0
	$(BENCH_QUICK_ENV) $(BIN)/python manage.py load_reference_data -v0
	$(BENCH_QUICK_ENV) $(BIN)/python manage.py bench_speed --sizes $(BENCH_QUICK_TICKETS) --rounds 2 --seconds 3

# Only the APIs' benchmark (Open311 and REST reads and POST) at BENCH_TICKETS.
bench-api: bench-db
	$(BENCH_ENV) $(BIN)/python manage.py bench_api

# The history import (docs/import.md): a Gerencia spreadsheet of BENCH_IMPORT_ROWS rows into the
# benchmark database, against COPY of the same rows into the tickets table, in the same run.
bench-import: bench-db
	$(BENCH_ENV) $(BIN)/python manage.py bench_import --rows $(BENCH_IMPORT_ROWS)

# Load and fault harness (docs/reliability.md): its own PostgreSQL database (metepec7311_load,
# dropped at the end), redis-server, SMTP server, gunicorn and Celery worker, all DEBUG off; the
# DEBUG=1 here is only the harness's own process. Options: make load LOAD_ARGS="--residents 50".
load: setup
	DEBUG=1 $(BIN)/python manage.py load_faults $(LOAD_ARGS)

ci:
	.ci/run

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache .hypothesis
