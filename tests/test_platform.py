import os
import subprocess
import sys
from pathlib import Path

import pytest
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
        "NOTIFICATIONS_TOPIC_ARN": "arn:aws:sns:us-east-1:123456789012:parcel-events",
        "NOTIFICATIONS_FROM_EMAIL": "notifications@example.com",
        "PUBLIC_TRACKING_URL": "https://track.example.com",
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


@pytest.mark.parametrize("missing", ["NOTIFICATIONS_TOPIC_ARN", "NOTIFICATIONS_FROM_EMAIL", "PUBLIC_TRACKING_URL"])
def test_production_with_aws_notifications_names_a_missing_setting(missing):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": "x" * 50,
        "DJANGO_ALLOWED_HOSTS": "api.example.com",
        "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none",
        "AWS_STORAGE_BUCKET_NAME": "static-bucket",
        "NOTIFICATIONS_TOPIC_ARN": "arn:aws:sns:us-east-1:123456789012:parcel-events",
        "NOTIFICATIONS_FROM_EMAIL": "notifications@example.com",
        "PUBLIC_TRACKING_URL": "https://track.example.com",
    }
    env.pop("NOTIFICATIONS_BACKEND", None)
    del env[missing]
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert missing in result.stderr


def test_production_refuses_to_start_without_its_secrets():
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "DATABASE_URL"))}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.production"
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr
