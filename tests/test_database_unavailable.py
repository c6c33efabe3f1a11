"""A database that does not answer is a 503 saying to try again (the error
shape under /api/, a short page in the admin), never a 500; and connections
are kept only where they help."""

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connections
from django.test import Client

ROOT = Path(__file__).resolve().parent.parent


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nobody listens once the socket is closed


@pytest.fixture
def database_down(monkeypatch):
    """Every new connection of the default alias goes to a port where nothing listens."""
    connection = connections["default"]
    connection.close()
    monkeypatch.setitem(connection.settings_dict, "HOST", "127.0.0.1")
    monkeypatch.setitem(connection.settings_dict, "PORT", str(_closed_port()))
    yield
    connection.close()


@pytest.mark.django_db(transaction=True)
def test_the_api_answers_503_in_the_error_shape(database_down):
    response = Client().get("/api/v1/track/EE473124829US/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    error = response.json()["error"]
    assert error["code"] == "database_unavailable"
    assert "try again" in error["message"]


@pytest.mark.django_db(transaction=True)
def test_the_admin_answers_a_short_503_page(clerk_a, database_down):
    # As a server answers: the test client would re-raise what Django turns into
    # its handler500 page (config.urls), here the session's failed look-up.
    client = Client(raise_request_exception=False)
    client.cookies["sessionid"] = "a-session-the-database-would-have-to-look-up"
    response = client.get("/admin/shipments/package/")
    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/html")
    assert "try again" in response.content.decode()


PRINT_CONN_MAX_AGE = "from django.conf import settings; print(settings.DATABASES['default']['CONN_MAX_AGE'])"


def _conn_max_age(settings_module: str, **env) -> int:
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": settings_module, **env}
    environment.pop("DATABASE_CONN_MAX_AGE", None)
    result = subprocess.run(  # noqa: S603 (our own interpreter and code)
        [sys.executable, "-c", PRINT_CONN_MAX_AGE],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return int(result.stdout)


def test_connections_are_kept_on_lambda_and_not_by_the_development_server():
    database = {"DATABASE_URL": "postgres://nobody@127.0.0.1:1/none"}
    assert _conn_max_age("config.settings.local", **database) == 0
    production = {
        **database,
        "DJANGO_SECRET_KEY": "x" * 50,
        "DJANGO_ALLOWED_HOSTS": "api.example.com",
        "AWS_STORAGE_BUCKET_NAME": "static-bucket",
        "AWS_MEDIA_BUCKET_NAME": "media-bucket",
        "TRACKING_NUMBER_KEY": "a-production-key-from-the-environment",
        "NOTIFICATIONS_TOPIC_ARN": "arn:aws:sns:us-east-1:123456789012:parcel-events",
        "NOTIFICATIONS_FROM_EMAIL": "notifications@example.com",
        "PUBLIC_TRACKING_URL": "https://track.example.com",
    }
    assert _conn_max_age("config.settings.production", **production) == 60
