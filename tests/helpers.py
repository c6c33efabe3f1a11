"""Helpers the tests share. Fixtures live in conftest.py; this is a plain
module so that tests import from it, never from a conftest."""

import csv
from pathlib import Path

from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver


def totp_code(device, steps_ahead=0) -> str:
    """The code an authenticator app shows now (or ``steps_ahead`` periods from now)."""
    from django_otp.oath import totp

    return (
        f"{totp(device.bin_key, step=device.step, t0=device.t0 - steps_ahead * device.step, digits=device.digits):06d}"
    )


def login(user) -> Client:
    """A test client signed in (by session) as ``user``."""
    client = Client()
    client.force_login(user)
    return client


def api_url_names() -> set[str]:
    """The names of every URL under /api/v1/, read from the URL conf."""

    def walk(patterns, prefix):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                yield prefix + str(pattern.pattern), pattern.name

    return {name for route, name in walk(get_resolver().url_patterns, "") if route.startswith("api/v1/")}


# --- the browser tests -------------------------------------------------------------

# Where the browser tests leave their screenshots (not in git; docs/screenshots/ has chosen ones).
SCREENSHOTS = Path(__file__).resolve().parent.parent / "build" / "screenshots"
PASSWORD = "pass-for-tests"  # tests.factories.UserFactory


def log_in(page, base_url: str, username: str) -> None:
    """Sign in to the admin in the browser, as a clerk at the counter does."""
    from playwright.sync_api import expect

    page.goto(f"{base_url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    expect(page.locator("#counter-links")).to_be_visible()


# Small real files for the import commands' tests.
IMPORT_DATA = Path(__file__).resolve().parent / "data"


def package_rows() -> list[dict[str, str]]:
    """The rows of the small package file (tests/data/packages.csv)."""
    with (IMPORT_DATA / "packages.csv").open(newline="") as file:
        return list(csv.DictReader(file))


def write_package_rows(path: Path, rows: list[dict[str, str]]) -> Path:
    """``rows`` as a CSV package file at ``path``, with the small file's header."""
    with path.open("w", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=list(package_rows()[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


# What production needs in its environment to start (placeholders: no test
# connects to this database or AWS). Tests add or drop keys from a copy.
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "DJANGO_SECRET_KEY": "x" * 20 + "-not-the-real-one-but-long-and-random-looking-0123456789",
    "DJANGO_ALLOWED_HOSTS": "api.example.com",
    "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none",
    "AWS_STORAGE_BUCKET_NAME": "static-bucket",
    "AWS_MEDIA_BUCKET_NAME": "media-bucket",
    "TRACKING_NUMBER_KEY": "a-production-key-from-the-environment",
    "NOTIFICATIONS_TOPIC_ARN": "arn:aws:sns:us-east-1:123456789012:parcel-events",
    "NOTIFICATIONS_FROM_EMAIL": "notifications@example.com",
    "PUBLIC_TRACKING_URL": "https://track.example.com",
}


def assert_error(response, status: int, code: str | None = None) -> dict:
    """The API's one error shape with ``status`` (and ``code``); returns the error."""
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert set(error) == {"code", "message", "details"}
    assert error["message"]
    if code:
        assert error["code"] == code
    return error
