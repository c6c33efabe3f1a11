"""Helpers the tests share. Fixtures live in conftest.py; this is a plain
module so that tests import from it, never from a conftest."""

from pathlib import Path

from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver


def login(user) -> Client:
    """A test client signed in (by session) as ``user``."""
    client = Client()
    client.force_login(user)
    return client


BROWSER_PASSWORD = "pass-for-tests"  # tests.factories.UserFactory
SCREENSHOTS = Path(__file__).resolve().parent.parent / "build" / "screenshots"


def log_in_browser(page, base_url: str, username: str) -> None:
    """Sign a Playwright page in to the admin."""
    from playwright.sync_api import expect

    page.goto(f"{base_url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", BROWSER_PASSWORD)
    page.click("input[type=submit]")
    expect(page.locator("#counter-links")).to_be_visible()


def api_url_names() -> set[str]:
    """The names of every URL under /api/v1/, read from the URL conf."""

    def walk(patterns, prefix):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                yield prefix + str(pattern.pattern), pattern.name

    return {name for route, name in walk(get_resolver().url_patterns, "") if route.startswith("api/v1/")}
