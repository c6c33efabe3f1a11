import json
import os
import subprocess
import sys
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def test_the_suite_runs_on_postgresql(db):
    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        assert int(cursor.fetchone()[0]) >= 150000


def test_production_settings_pass_the_deploy_check():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": "x" * 20 + "-not-the-real-one-but-long-and-random-looking-0123456789",
        "DJANGO_ALLOWED_HOSTS": "api.example.com",
        "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none",
        "AWS_STORAGE_BUCKET_NAME": "static-bucket",
        "TRACKING_NUMBER_KEY": "a-production-key-from-the-environment",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_its_secrets():
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "DATABASE_URL"))}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.production"
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "DJANGO_SECRET_KEY": "x" * 20 + "-not-the-real-one-but-long-and-random-looking-0123456789",
    "DJANGO_ALLOWED_HOSTS": "api.example.com",
    "DATABASE_URL": "postgres://app@db.example.com:5432/parcels",
    "AWS_STORAGE_BUCKET_NAME": "static-bucket",
    "TRACKING_NUMBER_KEY": "a-production-key-from-the-environment",
}
PRINT_DATABASES = "import json; from django.conf import settings; print(json.dumps(settings.DATABASES))"


def _production_databases(**overrides):
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "DATABASE_"))}
    env |= PRODUCTION_ENV | overrides
    return subprocess.run(  # noqa: S603 (our own interpreter and code)
        [sys.executable, "-c", PRINT_DATABASES], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_production_connects_to_its_database_over_tls_only():
    result = _production_databases()
    assert result.returncode == 0, result.stderr
    databases = json.loads(result.stdout)
    assert {alias: db["OPTIONS"]["sslmode"] for alias, db in databases.items()} == {
        "default": "require",
        "migrations": "require",
    }

    result = _production_databases(DATABASE_SSLMODE="verify-full", DATABASE_SSLROOTCERT="/var/task/global-bundle.pem")
    options = json.loads(result.stdout)["default"]["OPTIONS"]
    assert options == {"sslmode": "verify-full", "sslrootcert": "/var/task/global-bundle.pem"}

    for refused in (
        {"DATABASE_SSLMODE": "prefer"},
        {"DATABASE_URL": PRODUCTION_ENV["DATABASE_URL"] + "?sslmode=disable"},
    ):
        result = _production_databases(**refused)
        assert result.returncode != 0
        assert "over TLS only" in result.stderr


def test_production_migrates_as_the_owner_and_runs_as_the_application():
    owner = "postgres://owner@db.example.com:5432/parcels"
    databases = json.loads(_production_databases(DATABASE_MIGRATION_URL=owner).stdout)
    assert (databases["default"]["USER"], databases["migrations"]["USER"]) == ("app", "owner")
    # One URL: both aliases are the application's role, as before.
    databases = json.loads(_production_databases().stdout)
    assert databases["migrations"]["USER"] == "app"
