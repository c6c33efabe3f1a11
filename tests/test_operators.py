"""What an operator runs: a plain migrate is enough for a working deploy, and
the embedded PostgreSQL really stops."""

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import psycopg2
import pytest
from django.db import connection

from config.settings.embedded_postgres import stop_embedded

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def scratch_database_url(db):
    """A new, empty database on the test server, as a DATABASE_URL; dropped afterwards."""
    settings = connection.settings_dict
    name = f"scratch_migrate_{os.getpid()}"
    params = {"host": settings["HOST"], "port": settings["PORT"] or 5432, "user": settings["USER"]}
    params |= {"password": settings["PASSWORD"]} if settings["PASSWORD"] else {}
    admin = psycopg2.connect(dbname="postgres", **params)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    credentials = quote(params["user"], safe="") + (
        f":{quote(params['password'], safe='')}" if "password" in params else ""
    )
    yield f"postgres://{credentials}@{quote(str(params['host']), safe='')}:{params['port']}/{name}", name, params
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


def test_a_plain_migrate_creates_the_cache_and_throttle_tables(scratch_database_url):
    url, name, params = scratch_database_url
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "DATABASE_URL": url}
    result = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    with psycopg2.connect(dbname=name, **params) as fresh, fresh.cursor() as cursor:
        cursor.execute("SELECT to_regclass('django_cache') IS NOT NULL, to_regclass('api_throttlewindow') IS NOT NULL")
        assert cursor.fetchone() == (True, True)
    fresh.close()


@pytest.fixture
def traversable_tmp_path():
    """A scratch folder other users can reach: run as root, pgserver runs
    PostgreSQL as its own system user, which cannot enter pytest's 0700 tmp_path."""
    import shutil
    import tempfile

    path = Path(tempfile.mkdtemp(prefix="db-stop-"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def test_make_db_stop_stops_the_embedded_postgresql(traversable_tmp_path):
    import time
    import warnings

    tmp_path = traversable_tmp_path

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pgserver

        server = pgserver.get_server(tmp_path / "postgres", cleanup_mode=None)
    assert server.psql("SELECT 1").count("(1 row)")
    pid = int((tmp_path / "postgres" / "postmaster.pid").read_text().split()[0])

    result = subprocess.run(
        ["make", "--no-print-directory", "db-stop", f"PGDATA_DIR={tmp_path / 'postgres'}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.2)
    else:
        pytest.fail(f"PostgreSQL (pid {pid}) is still running after make db-stop")
    assert not (tmp_path / "postgres" / "postmaster.pid").exists()


def test_the_embedded_postgresql_starts_whatever_a_stopped_run_left(traversable_tmp_path):
    """Ctrl-C on `make run` could leave pgserver's .handle_pids.json empty; every later
    start then died with a JSONDecodeError until someone deleted the file."""
    data_dir = traversable_tmp_path / "postgres"
    start = (
        "import sys; from pathlib import Path; from config.settings.embedded_postgres import embedded_database_url;"
        "import psycopg2; psycopg2.connect(embedded_database_url(Path(sys.argv[1]))).close(); print('ready')"
    )

    def run() -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-c", start, str(data_dir)], cwd=ROOT, capture_output=True, text=True, timeout=120
        )

    try:
        first = run()
        assert (first.returncode, first.stdout.strip(), first.stderr) == (0, "ready", "")
        handles = data_dir / ".handle_pids.json"
        # What an interrupted exit left behind: an empty file (and, below, a truncated one).
        for left_behind in ("", "[12"):
            handles.write_text(left_behind)
            again = run()
            assert (again.returncode, again.stdout.strip(), again.stderr) == (0, "ready", "")
        # And our processes no longer rewrite it when they exit.
        assert not handles.exists() or json.loads(handles.read_text()) == []
    finally:
        stop_embedded(data_dir)


def test_make_collectstatic_uploads_to_the_bucket_without_production_secrets(moto_server):
    import boto3

    aws = {
        "AWS_ENDPOINT_URL": moto_server,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    s3 = boto3.client(
        "s3",
        endpoint_url=moto_server,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    s3.create_bucket(Bucket="static-dev")
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "DATABASE_URL"))}
    packaged = ROOT / "config" / "staticfiles.json"
    manifest = packaged.read_bytes()
    try:
        result = subprocess.run(
            ["make", "--no-print-directory", "-o", ".venv/bin/activate", "collectstatic", "BUCKET=static-dev"],
            cwd=ROOT,
            env={**env, **aws},
            capture_output=True,
            text=True,
            timeout=300,
        )
        uploaded_manifest = packaged.read_bytes()
    finally:
        packaged.write_bytes(manifest)
    assert result.returncode == 0, result.stdout + result.stderr
    keys = {
        item["Key"]
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket="static-dev")
        for item in page.get("Contents", [])
    }
    # The hashed names the package's manifest promises are the ones uploaded.
    hashed = json.loads(manifest)["paths"]["admin/css/base.css"]
    assert f"static/{hashed}" in keys
    assert uploaded_manifest == manifest


def test_collectstatic_through_the_function_refuses_and_points_at_make_collectstatic(moto_server):
    """`zappa manage production "collectstatic --noinput"` (Lambda's environment, production's
    settings) would overwrite the packaged manifest with the few files the package holds."""
    from tests.helpers import PRODUCTION_ENV

    aws = {"AWS_ENDPOINT_URL": moto_server, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
    lambda_env = {"AWS_LAMBDA_FUNCTION_NAME": "parcel-backoffice-production", "AWS_DEFAULT_REGION": "us-east-1"}
    packaged = ROOT / "config" / "staticfiles.json"
    manifest = packaged.read_bytes()
    try:
        result = subprocess.run(  # noqa: S603 (our own interpreter and code)
            [sys.executable, "manage.py", "collectstatic", "--noinput"],
            cwd=ROOT,
            env={**os.environ, **PRODUCTION_ENV, **aws, **lambda_env},
            capture_output=True,
            text=True,
            timeout=300,
        )
        after = packaged.read_bytes()
    finally:
        packaged.write_bytes(manifest)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "make collectstatic BUCKET=" in result.stderr
    assert "Traceback" not in result.stderr
    assert after == manifest


def test_collectstatic_outside_lambda_is_django_s(settings, tmp_path, monkeypatch):
    """What `make collectstatic` and `make static-manifest` run on a developer's machine."""
    from django.core.management import call_command

    monkeypatch.delenv("AWS_LAMBDA_FUNCTION_NAME", raising=False)
    settings.STATIC_ROOT = tmp_path
    call_command("collectstatic", interactive=False, verbosity=0)
    assert (tmp_path / "admin" / "css" / "base.css").exists()


def test_a_django_log_line_is_printed_once():
    """runserver's "Watching for file changes" appeared twice: Django's own console
    handler and the root's both printed it."""
    import logging

    # Only the root logger prints (pytest adds its capture handlers to the root too).
    logger, handlers = logging.getLogger("django.utils.autoreload"), {}
    while logger is not None and logger is not logging.root:
        handlers[logger.name] = logger.handlers
        logger = logger.parent if logger.propagate else None
    assert logger is logging.root
    assert {name: found for name, found in handlers.items() if found} == {}
