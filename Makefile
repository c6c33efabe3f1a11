# The front door. `make run` and `make test` are all a newcomer needs.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
# Python 3.12 from PATH (pyenv honours .python-version), or PYTHON=... to override.
PYTHON ?= $(shell command -v python3.12 || command -v python3)
MANAGE := $(PY) manage.py
# Where `make run` serves its local Cognito (moto) for `make api-token`.
LOCAL_COGNITO_PORT ?= 8001

.PHONY: run api-token test lint bench package lock lambda-test collectstatic static-manifest check-deploy db-stop clean

# The development environment installs requirements-dev.lock: every package pinned with its
# hashes, production's at the versions of requirements.lock (`make lock` writes both), so a
# release upstream never changes what a fresh clone gets.
$(BIN)/activate: requirements-dev.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 12) else "Python 3.12 is needed (found " + sys.version.split()[0] + ")")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --require-hashes -r requirements-dev.lock
	@touch $@

venv: $(BIN)/activate

# Schema changes run as the tables' owner (DATABASE_MIGRATION_URL when set, else DATABASE_URL);
# with two roles, the application's gets its grants (docs/database-roles.md).
# A rerun prints only what is new: migrations only when some are pending,
# the demo summary only when the seed changed something.
run: venv
	@$(MANAGE) migrate --database migrations --check >/dev/null 2>&1 || $(MANAGE) migrate --database migrations --noinput
	@if [ -n "$$DATABASE_MIGRATION_URL" ]; then $(MANAGE) grant_application_role; fi
	@$(MANAGE) seed_demo
	@echo ""
	@echo "  Back-office: http://127.0.0.1:8000/admin/"
	@echo "  Demo logins (local only): hq / hq-demo-pass   (HQ, sees everything)"
	@echo "                            clerk.nyc01 / clerk-demo-pass, manager.nyc01 / manager-demo-pass"
	@echo "                            (one clerk and one manager per office: clerk.<code>, manager.<code>)"
	@echo "  API bearer token (in another terminal): make api-token USER=clerk.nyc01"
	@echo "  Notifications: what is due is sent every minute, as the scheduled job does in AWS"
	@echo "                 (dispatch_notifications --every 60 runs beside the server and stops with it)."
	@echo ""
	@# Beside the server, both stopping with it (Ctrl-C): a local Cognito (moto) for `make api-token`
	@# (it also stops by itself if this shell is killed; tools/local_cognito.py), and the notification
	@# dispatcher loop, the laptop's stand-in for the every-minute job (retries, "Retry now", what a big
	@# scan left).
	@$(PY) tools/local_cognito.py serve --port $(LOCAL_COGNITO_PORT) & cognito=$$!; \
	$(MANAGE) dispatch_notifications --every 60 & dispatcher=$$!; \
	trap 'kill $$cognito $$dispatcher 2>/dev/null; wait $$cognito $$dispatcher 2>/dev/null' EXIT; \
	$(PY) tools/local_cognito.py wait --pid $$cognito; \
	$(MANAGE) runserver 127.0.0.1:8000

# A bearer token for the API of `make run` (running, in another terminal), from its local
# Cognito: `make api-token USER=clerk.nyc01`; only the token goes to stdout, for TOKEN=$$(...).
api-token: venv
	@test "$(origin USER)" = "command line" || { echo "usage: make api-token USER=<a back-office user, e.g. clerk.nyc01>" >&2; exit 2; }
	@$(MANAGE) api_token "$(USER)"

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DATABASE_URL=postgres://typecheck@127.0.0.1/typecheck $(BIN)/mypy

test: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DJANGO_SETTINGS_MODULE=config.settings.test $(MANAGE) makemigrations --check --dry-run
	# Types (pyproject.toml [tool.mypy]); the settings are loaded, no database is opened.
	DATABASE_URL=postgres://typecheck@127.0.0.1/typecheck $(BIN)/mypy
	chromium=$$($(PY) tools/ensure_browser.py) && CHROMIUM_PATH="$$chromium" $(BIN)/pytest --cov

bench: venv
	$(PY) benchmarks/run.py

# The Lambda artifacts `zappa deploy production -z build/lambda.zip` uploads:
# build/lambda.zip (the function) and build/aws-sdk-layer.zip (boto3/botocore, a
# layer), built by tools/package_lambda.py from a virtualenv outside the project
# that holds requirements.lock only (docs/deploy.md). Then both are unpacked
# and the project is started from them alone, as Lambda does (/var/task and
# /opt/python on the path, nothing else). It does not use .venv.
PACKAGE_LIMIT_MIB := 16
# The interpreter itself (a pyenv shim answers only inside the project, and the check runs elsewhere).
PACKAGE_PYTHON = $(shell $(PYTHON) -c 'import sys; print(sys.executable)')
PRODUCTION_ENV = DJANGO_SETTINGS_MODULE=config.settings.production DJANGO_SECRET_KEY=$$(openssl rand -hex 32) \
	DJANGO_ALLOWED_HOSTS=example.execute-api.us-east-1.amazonaws.com \
	DATABASE_URL=postgres://check@127.0.0.1:5432/check AWS_STORAGE_BUCKET_NAME=check AWS_MEDIA_BUCKET_NAME=check-media TRACKING_NUMBER_KEY=$$(openssl rand -hex 32) \
	NOTIFICATIONS_TOPIC_ARN=arn:aws:sns:us-east-1:000000000000:check NOTIFICATIONS_FROM_EMAIL=check@example.com \
	PUBLIC_TRACKING_URL=https://check.example.com

package:
	@# Earlier layouts kept a virtualenv and the unpacked zip in build/, where Zappa would find them.
	rm -rf build/package-venv build/lambda
	$(PACKAGE_PYTHON) tools/package_lambda.py --project . --stage production --out build
	@# The worker's own package: its zappa_settings.py carries its schedules and S3 trigger.
	$(PACKAGE_PYTHON) tools/package_lambda.py --project . --stage production_worker --out build/worker
	@# The migrations function's own package: the only one deployed with the tables' owner's URL.
	$(PACKAGE_PYTHON) tools/package_lambda.py --project . --stage production_migrations --out build/migrations
	@$(PYTHON) -c 'import os, sys; size = os.path.getsize("build/lambda.zip") / 2**20; print(f"build/lambda.zip: {size:.1f} MiB (goal: at most $(PACKAGE_LIMIT_MIB) MiB)"); sys.exit(0 if size <= $(PACKAGE_LIMIT_MIB) else "the function zip is over $(PACKAGE_LIMIT_MIB) MiB")'
	set -e; unpacked=$$(mktemp -d); trap 'rm -rf "$$unpacked"' EXIT; \
	$(PYTHON) -m zipfile -e build/lambda.zip "$$unpacked/task"; \
	$(PYTHON) -m zipfile -e build/aws-sdk-layer.zip "$$unpacked/opt"; \
	cd "$$unpacked/task" && $(PRODUCTION_ENV) PYTHONPATH="$$unpacked/task:$$unpacked/opt/python" $(PACKAGE_PYTHON) -S $(CURDIR)/.ci/check_package.py

# requirements.lock: every production dependency, pinned with its hashes, for the package;
# requirements-dev.lock: the development environment, production's pins as constraints.
# After editing requirements*.txt: `make lock`, then commit both files.
LOCK_FLAGS := --generate-hashes --python-version 3.12 --python-platform x86_64-manylinux_2_28 --custom-compile-command "make lock" --quiet
lock: venv
	$(BIN)/uv pip compile requirements.txt $(LOCK_FLAGS) -o requirements.lock
	$(BIN)/uv pip compile requirements-dev.txt -c requirements.lock $(LOCK_FLAGS) -o requirements-dev.lock

# The package run as Lambda runs it (tests/lambda_package/, docs/deploy.md "Proving the
# package"): Zappa's handler in the unzipped build/lambda.zip (and the AWS SDK
# layer, when built), driven by AWS's runtime interface client through a Runtime
# API on loopback, with API Gateway, EventBridge, S3 and `zappa manage` events,
# against a fresh database and moto. Builds the package first when there is none.
lambda-test: venv
	@test -f build/lambda.zip || $(MAKE) package
	$(BIN)/pytest tests/lambda_package -m lambda_package -n0

# Upload the static files to a stage's S3 bucket (AWS credentials from your
# environment, as for zappa). It needs no production secret: placeholders stand in.
collectstatic: venv
	@test -n "$(BUCKET)" || { echo "usage: make collectstatic BUCKET=<the stage's static bucket>" >&2; exit 2; }
	$(PRODUCTION_ENV) AWS_STORAGE_BUCKET_NAME=$(BUCKET) $(MANAGE) collectstatic --noinput

# Production's static files manifest (config/staticfiles.json, committed; it ships in the package).
# Run after changing a static file or a package that ships some: a test says when it is stale.
static-manifest: venv
	$(PY) tools/static_manifest.py

check-deploy: venv
	$(PRODUCTION_ENV) $(MANAGE) check --deploy --fail-level WARNING

# Stop the embedded PostgreSQL that `make run` / `make test` start (it keeps running for speed).
PGDATA_DIR ?= .data/postgres
db-stop:
	@test ! -d $(PGDATA_DIR) || $(PY) -W ignore -c 'import sys; from config.settings.embedded_postgres import stop_embedded; stop_embedded(sys.argv[1]) and print("db-stop: stopped", sys.argv[1])' $(PGDATA_DIR)

clean: db-stop
	rm -rf $(VENV) .pytest_cache .ruff_cache build
