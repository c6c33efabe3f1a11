"""The package list at a counter: its columns fit a 1280 px screen, late parcels stand out."""

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from shipments.services import package_record_event
from tests.factories import OfficeFactory, clerk_at, party, register_package
from tests.helpers import SCREENSHOTS, log_in


def test_overdue_packages_are_marked_and_filtered(live_server, browser_page):
    nyc = OfficeFactory(code="NYC01", name="New York Midtown", time_zone="America/New_York")
    bos = OfficeFactory(code="BOS01", name="Boston Back Bay", time_zone="America/New_York")
    clerk_at(nyc, username="clerk.nyc01")
    week_ago = timezone.now() - timedelta(days=7)
    late = register_package(origin=nyc, destination=bos, registered_at=week_ago, sender=party("Late Larry"))
    package_record_event(package=late, status="accepted", office=nyc, occurred_at=week_ago)  # due 2 days ago
    fresh = register_package(origin=nyc, destination=bos, sender=party("Fresh Fran"))
    package_record_event(package=fresh, status="accepted", office=nyc)
    context, page = browser_page
    log_in(page, live_server.url, "clerk.nyc01")
    page.goto(f"{live_server.url}/admin/shipments/package/")

    late_row = page.locator("#result_list tbody tr", has_text=late.tracking_number)
    expect(late_row.locator("td.field-expected .overdue")).to_contain_text("overdue")
    fresh_row = page.locator("#result_list tbody tr", has_text=fresh.tracking_number)
    expect(fresh_row.locator("td.field-expected .overdue")).to_have_count(0)

    page.locator("#changelist-filter").get_by_role("link", name="Overdue").click()
    expect(page.locator("#result_list tbody tr")).to_have_count(1)
    expect(page.locator("#result_list tbody tr")).to_contain_text(late.tracking_number)
    page.screenshot(path=str(SCREENSHOTS / "package_list_overdue.png"), full_page=True)
