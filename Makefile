# The front door. `make run` and `make test` are all a newcomer needs.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
# Python 3.12 from PATH (pyenv honours .python-version), or PYTHON=... to override.
PYTHON ?= $(shell command -v python3.12 || command -v python3)
MANAGE := $(PY) manage.py

.PHONY: run test lint bench check-deploy db-stop clean

$(BIN)/activate: requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 12) else "Python 3.12 is needed (found " + sys.version.split()[0] + ")")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	@touch $@

venv: $(BIN)/activate

run: venv
	$(MANAGE) migrate --noinput
	$(MANAGE) createcachetable
	$(MANAGE) seed_demo
	@echo ""
	@echo "  Back-office: http://127.0.0.1:8000/admin/"
	@echo "  Demo logins (local only): hq / hq-demo-pass   (HQ, sees everything)"
	@echo "                            clerk.nyc01 / clerk-demo-pass, manager.nyc01 / manager-demo-pass"
	@echo "                            (one clerk and one manager per office: clerk.<code>, manager.<code>)"
	@echo ""
	$(MANAGE) runserver 127.0.0.1:8000

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: venv
	$(BIN)/ruff check .
	DJANGO_SETTINGS_MODULE=config.settings.test $(MANAGE) makemigrations --check --dry-run
	$(BIN)/pytest

bench: venv
	$(PY) benchmarks/run.py

check-deploy: venv
	DJANGO_SETTINGS_MODULE=config.settings.production DJANGO_SECRET_KEY=$$(openssl rand -hex 32) \
	DJANGO_ALLOWED_HOSTS=example.execute-api.us-east-1.amazonaws.com \
	DATABASE_URL=postgres://check@127.0.0.1:5432/check AWS_STORAGE_BUCKET_NAME=check \
	$(MANAGE) check --deploy --fail-level WARNING

# Stop the embedded PostgreSQL that `make run` / `make test` start (it keeps running for speed).
db-stop:
	@test ! -d .data/postgres || $(PY) -W ignore -c 'import pgserver; pgserver.get_server(".data/postgres", cleanup_mode="stop").cleanup()'

clean: db-stop
	rm -rf $(VENV) .pytest_cache .ruff_cache build
