# anjian — two commands: `make demo` and `make test`. Everything else is set up by them.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: demo test lint fmt bench messages install clean

$(BIN)/python:
	$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "anjian needs Python 3.11"'
	$(PYTHON) -m venv $(VENV)

# Pinned: requirements.lock is the exact set CI and production install.
$(STAMP): $(BIN)/python requirements.lock pyproject.toml
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

# The MQTT listener (`anjian monitor listen`, broker ANJIAN_MQTT_URL) runs beside the web
# server and stops with it; SIMULATE=1 also streams the demo readings with faults
# (`anjian monitor simulate`, which also runs the monitoring jobs every 20 s: the demo has
# no scheduler), so the boards show live alarms.
demo: $(STAMP)
	ANJIAN_DEBUG=1 $(BIN)/anjian manage migrate --no-input -v 0
	ANJIAN_DEBUG=1 $(BIN)/anjian demo --if-empty
	@ANJIAN_DEBUG=1 $(BIN)/anjian manage demo_accounts
	@echo "网关令牌 gateway tokens (HTTP path): $${ANJIAN_VAR_DIR:-var}/demo-gateways.json"
	@echo "安监 anjian: http://127.0.0.1:$(PORT)/  (Ctrl-C stops the server and the listener)"
	@pids=""; \
	stop() { trap - EXIT INT TERM; [ -n "$$pids" ] && kill -TERM $$pids 2>/dev/null; wait; }; \
	trap stop EXIT INT TERM; \
	ANJIAN_DEBUG=1 $(BIN)/anjian monitor listen & pids="$$!"; \
	if [ "$(SIMULATE)" = 1 ]; then \
		sleep 2; ANJIAN_DEBUG=1 $(BIN)/anjian monitor simulate --run-jobs 20 & pids="$$pids $$!"; \
	fi; \
	ANJIAN_DEBUG=1 $(BIN)/anjian manage runserver 127.0.0.1:$(PORT)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

fmt: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# SQLite always; PostgreSQL too when DATABASE_URL is set (CI sets it).
test: lint
	@if [ ! -x /usr/bin/chromium ]; then echo "note: /usr/bin/chromium missing, browser tests will be skipped (apt-get install chromium)"; fi
	env -u DATABASE_URL $(BIN)/pytest -n 2 --dist loadfile
	@if [ -n "$$DATABASE_URL" ]; then \
		echo "== again on PostgreSQL ($${DATABASE_URL%%@*}@…) =="; \
		$(BIN)/pytest -n 2 --dist loadfile; \
	fi

bench: $(STAMP)
	$(BIN)/python bench/run.py --both
	$(BIN)/python bench/run.py --reuse --only hazards --hazards 2000000 --repeat 3
	BENCH_DATABASE_URL=$${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/anjian_bench} $(BIN)/python bench/run.py --reuse --only hazards --hazards 2000000 --repeat 3
	$(BIN)/python bench/reports_phase_summary.py --hazards 2000000 --repeat 3
	$(BIN)/python bench/statistics_bench.py --hazards 2000000 --accidents 100000
	BENCH_DATABASE_URL=$${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/anjian_bench} $(BIN)/python bench/statistics_bench.py --hazards 2000000 --accidents 100000
	BENCH_DATABASE_URL=$${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/anjian_bench} $(BIN)/python bench/reports_phase_summary.py --hazards 2000000 --repeat 3
	$(BIN)/python bench/monitoring.py
	BENCH_DATABASE_URL=$${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/anjian_bench} $(BIN)/python bench/monitoring.py
	$(BIN)/python bench/emergency_matching.py
	BENCH_DATABASE_URL=$${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/anjian_bench} $(BIN)/python bench/emergency_matching.py
	$(BIN)/python bench/emergency_allocation.py
	$(BIN)/python bench/inspections_draw.py
	$(BIN)/python bench/inspections_plan.py
	$(BIN)/python bench/checks_score.py

messages: $(STAMP)
	$(BIN)/anjian manage makemessages -l zh_Hans --ignore=.venv --ignore=var --ignore=bench
	$(BIN)/anjian manage compilemessages -l zh_Hans --ignore=.venv

clean:
	rm -rf $(VENV) var/static
