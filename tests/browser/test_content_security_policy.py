"""The Content Security Policy (SECURE_CSP, config/settings/base.py) holds on
the pages people use, with no violation in Chromium: the admin (login, lists,
the package page, the counter pages and their widgets, the report), the package
label, Swagger UI, the browsable API and the public tracking page.

The policy of the production settings (with the static files' host, which
here is the live server itself) is set explicitly, so the test does not rest on
what the test settings happen to enable."""

import pytest
from django.test import override_settings
from playwright.sync_api import expect

from config.settings.base import content_security_policy
from offices.models import Membership
from shipments.models import Service
from shipments.services import package_record_event
from tests.factories import OfficeFactory, TariffFactory, clerk_at, register_package
from tests.helpers import log_in


@pytest.fixture
def world(db):
    origin = OfficeFactory(code="NYC01", name="New York Midtown")
    destination = OfficeFactory(code="BOS01", name="Boston Back Bay")
    for service in Service.values:
        TariffFactory(service=service)
    clerk_at(origin, username="clerk.nyc01")
    clerk_at(origin, username="manager.nyc01", role=Membership.Role.MANAGER)
    package = register_package(origin=origin, destination=destination)
    package_record_event(package=package, status="accepted", office=origin)
    return package


class PolicyWatch:
    """Visits pages and collects what the policy blocked: the page's
    securitypolicyviolation events and Chromium's console errors about it."""

    def __init__(self, page, base_url):
        self.page, self.base_url = page, base_url
        self.console: list[str] = []
        self.violations: list[str] = []
        page.on("console", self._console)

    def _console(self, message):
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.console.append(f"{self.page.url}: {message.text}")

    def visit(self, path: str) -> None:
        self.collect()
        response = self.page.goto(self.base_url + path)
        assert response.status == 200, path
        assert "default-src 'self'" in response.headers["content-security-policy"], path

    def collect(self) -> None:
        """The violations the current page recorded so far."""
        if self.page.url.startswith(self.base_url):
            found = self.page.evaluate("window.__cspViolations || []")
            self.violations += [f"{self.page.url}: {violation}" for violation in found]
            self.page.evaluate("window.__cspViolations = []")


def test_pages_pass_the_content_security_policy(live_server, browser_page, world):
    context, page = browser_page
    watch = PolicyWatch(page, live_server.url)
    number = world.tracking_number
    with override_settings(SECURE_CSP=content_security_policy(static_origin=live_server.url)):
        # The public tracking page.
        watch.visit(f"/track/?number={number}")
        expect(page.locator("ol.timeline li")).to_have_count(2)

        # The clerk's admin pages.
        log_in(page, live_server.url, "clerk.nyc01")
        watch.visit("/admin/shipments/package/?created_at_from=2000-01-01")
        expect(page.locator("#result_list tbody tr")).to_have_count(1)
        page.click("#changelist-filter summary >> nth=0")
        watch.visit(f"/admin/shipments/package/{world.pk}/change/")
        expect(page.locator("#next_steps")).to_contain_text("In transit")
        watch.visit(f"/admin/shipments/package/{world.pk}/label/")
        assert page.locator(".barcode svg rect").count() > 20
        watch.visit(f"/admin/shipments/package/{world.pk}/receipt/")
        expect(page.locator("#print_receipt")).to_be_visible()
        watch.visit("/admin/shipments/package/add/")
        page.click(".field-destination_office .select2-selection")
        page.fill(".select2-search__field", "BOS")
        page.click(".select2-results__option >> text=BOS01")
        watch.visit("/admin/shipments/package/scan/NYC01/")
        page.fill("#id_tracking_numbers", number)
        page.select_option("#id_status", "in_transit")
        page.click("input[value='Record scans']")
        expect(page.locator("#scan_results")).to_contain_text("1 done")

        # The browsable API (a list without filters: see templates/rest_framework/api.html).
        watch.visit("/api/v1/offices/")
        expect(page.locator(".response-info")).to_contain_text("NYC01")

        # Swagger UI, signed in (staff only in production), with the schema drawn.
        watch.visit("/api/v1/docs/")
        expect(page.locator(".swagger-ui .opblock").first).to_be_visible()
        page.locator(".swagger-ui .opblock-summary").first.click()

        # The manager's report, with its charts and date pickers.
        context.clear_cookies()
        log_in(page, live_server.url, "manager.nyc01")
        watch.visit("/admin/shipments/package/report/NYC01/")
        expect(page.locator("svg.chart rect.bar").first).to_be_attached()
        page.click(".datetimeshortcuts a >> nth=0")
        watch.collect()

    assert watch.violations == []
    assert watch.console == []


def test_the_policy_is_reported_when_a_page_breaks_it(live_server, browser_page, world):
    """The watch sees a violation: a page whose policy forbids its own styles."""
    _, page = browser_page
    watch = PolicyWatch(page, live_server.url)
    with override_settings(SECURE_CSP={**content_security_policy(), "style-src": ["'none'"]}):
        watch.visit(f"/track/?number={world.tracking_number}")
        watch.collect()
    assert any("style-src" in violation for violation in watch.violations)
    assert watch.console
