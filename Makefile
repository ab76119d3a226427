# Kefu — two commands for a newcomer: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
MO := $(patsubst %.po,%.mo,$(wildcard locale/*/LC_MESSAGES/django.po))
HOST ?= 127.0.0.1
PORT ?= 8000
# pytest-xdist workers for `make test` (the CI machine has 2 cores).
TEST_WORKERS ?= 2

.PHONY: run test lint format bench install browser worker openapi clean

$(PY):
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "需要 Python 3.11 ($(PYTHON))"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	$(PY) manage.py compile_translations
	@touch $(STAMP)

# UI translations: .po is the source, .mo is build output (git-ignored), compiled with babel.
%.mo: %.po | $(STAMP)
	$(PY) manage.py compile_translations

install: $(STAMP)

## run: install, migrate, load demo data, start the task worker and serve on 127.0.0.1:8000
run: $(STAMP) $(MO)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py calendar_seed
	$(PY) manage.py seed_demo
	$(PY) manage.py sla_schedule
	$(PY) manage.py repair_clock_schedule
	$(PY) manage.py returns_clock_schedule
	$(PY) manage.py visit_plan_schedule
	$(PY) manage.py roster_reminder_schedule
	$(PY) manage.py attendance_classify_schedule
	$(PY) manage.py duty_handover_schedule
	$(PY) manage.py meetings_schedule
	$(PY) manage.py performance_schedule
	$(PY) manage.py sales_schedule
	$(PY) manage.py month_close_schedule
	$(PY) manage.py jobs_schedule
	@echo "后台任务 worker 已启动（db_worker）；打开 http://$(HOST):$(PORT)/"
	@trap 'kill 0' INT TERM EXIT; \
	  $(PY) manage.py db_worker --queue-name default --interval 1 & \
	  $(PY) manage.py runserver $(HOST):$(PORT)

worker: $(STAMP)
	$(PY) manage.py sla_schedule
	$(PY) manage.py repair_clock_schedule
	$(PY) manage.py returns_clock_schedule
	$(PY) manage.py visit_plan_schedule
	$(PY) manage.py roster_reminder_schedule
	$(PY) manage.py attendance_classify_schedule
	$(PY) manage.py duty_handover_schedule
	$(PY) manage.py meetings_schedule
	$(PY) manage.py performance_schedule
	$(PY) manage.py sales_schedule
	$(PY) manage.py month_close_schedule
	$(PY) manage.py jobs_schedule
	$(PY) manage.py db_worker

## browser: Debian's chromium for the Playwright tests (no browser download from elsewhere)
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian chromium for the browser tests"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk) \
	  || echo "WARNING: could not install chromium; browser tests will be skipped"; }

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

## test: install, lint, and run the whole suite (SQLite unless DATABASE_URL says otherwise)
test: $(STAMP) $(MO) browser lint
	$(PY) manage.py makemigrations --check --dry-run --settings=config.settings.test
	$(VENV)/bin/pytest -n $(TEST_WORKERS)

openapi: $(STAMP)
	$(PY) manage.py export_openapi docs/openapi.json --settings=config.settings.test

## bench: wrk against gunicorn + PostgreSQL at 10,000 employees (docs/performance.md); e.g.
## make bench BENCH_ARGS="--employees 2000 --duration 5"
bench: $(STAMP)
	$(PY) bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache
