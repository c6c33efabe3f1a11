"""Headless Chromium for the browser tests (Playwright), with the page's
Content Security Policy violations recorded."""

import os

import pytest
from django.db import connections
from playwright.sync_api import sync_playwright

from tests.helpers import SCREENSHOTS
from tools.ensure_browser import MISSING, find_chromium

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Every page records the policy violations it reports, before its own scripts run
# (Playwright adds the script through the DevTools protocol, which the policy does not cover).
RECORD_CSP_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
    window.__cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI || "inline"}: ${event.sample}`);
});
"""


@pytest.fixture
def browser_page(monkeypatch):
    """A browser context and a page in it, 1280 px wide (a counter's screen)."""
    # `make test` finds or installs the browser (tools/ensure_browser.py) and passes it on.
    chromium = os.environ.get("CHROMIUM_PATH") or find_chromium()
    if not chromium:
        pytest.fail(MISSING)
    # Playwright's sync API runs an event loop in this thread; the ORM calls of
    # the test itself are still plain synchronous code.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS, headless=True)
        context = browser.new_context(viewport={"width": 1280, "height": 1000})
        context.set_default_timeout(15_000)
        context.add_init_script(RECORD_CSP_VIOLATIONS)
        yield context, context.new_page()
        # ORM calls made while Playwright's loop runs opened their own
        # connection (asgiref's context-local storage); close it, or the test
        # database cannot be dropped at the end of the run.
        connections.close_all()
        context.close()
        browser.close()


@pytest.fixture
def proofs_folder(tmp_path, settings):
    """The proofs of delivery (signatures, photos) in a folder of the test's own."""
    settings.STORAGES = {
        **settings.STORAGES,
        "proofs": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}},
    }
