"""Times in the office's zone, with the zone named: a parcel registered at 1:46 pm
in New York reads "1:46 p.m. EST" there, not "6:46 p.m." (UTC)."""

import re
from datetime import UTC, datetime

from playwright.sync_api import expect

from shipments.services import package_record_event
from tests.factories import OfficeFactory, clerk_at, register_package
from tests.helpers import SCREENSHOTS, log_in

REGISTERED = datetime(2026, 1, 15, 18, 46, tzinfo=UTC)  # 1:46 p.m. in New York (EST)


def test_times_are_the_offices_with_the_zone_named(live_server, browser_page):
    nyc = OfficeFactory(code="NYC01", name="New York Midtown", time_zone="America/New_York")
    sfo = OfficeFactory(code="SFO01", name="San Francisco Market St", time_zone="America/Los_Angeles")
    clerk_at(nyc, username="clerk.nyc01")
    hq = clerk_at(username="hq.person", is_superuser=True)
    package = register_package(origin=nyc, destination=sfo, registered_at=REGISTERED)
    package_record_event(package=package, status="accepted", office=nyc, occurred_at=REGISTERED.replace(minute=50))
    package_record_event(package=package, status="in_transit", office=nyc, occurred_at=REGISTERED.replace(hour=20))
    context, page = browser_page
    base = live_server.url

    # The clerk's list: their office's zone.
    log_in(page, base, "clerk.nyc01")
    page.goto(f"{base}/admin/shipments/package/")
    expect(page.locator("#result_list tbody tr").first.locator("td.field-registered")).to_have_text(
        "01/15/2026 1:46 p.m. EST"
    )

    # The package page, on its way: the origin's zone; each event in its office's.
    page.goto(f"{base}/admin/shipments/package/{package.tracking_number}/change/")
    expect(page.locator(".fieldBox.field-registered_time .readonly")).to_have_text("Jan. 15, 2026, 1:46 p.m. EST")
    expect(page.locator(".fieldBox.field-accepted_time .readonly")).to_have_text("Jan. 15, 2026, 1:50 p.m. EST")
    timeline = page.locator("#events-group tbody tr.has_original")
    expect(timeline.nth(0).locator("td.field-occurred")).to_have_text("Jan. 15, 2026, 1:46 p.m. EST")
    expect(timeline.nth(2).locator("td.field-occurred")).to_have_text("Jan. 15, 2026, 3:46 p.m. EST")
    expect(page.locator("#charges-group td.field-charged")).to_have_text("Jan. 15, 2026, 1:46 p.m. EST")

    # Arrived in San Francisco: the page follows the package; the timeline keeps each office's zone.
    package_record_event(
        package=package, status="arrived", office=sfo, occurred_at=datetime(2026, 1, 16, 2, 30, tzinfo=UTC)
    )
    page.reload()
    expect(page.locator(".fieldBox.field-registered_time .readonly")).to_have_text("Jan. 15, 2026, 10:46 a.m. PST")
    expect(timeline.nth(0).locator("td.field-occurred")).to_have_text("Jan. 15, 2026, 1:46 p.m. EST")
    expect(timeline.nth(3).locator("td.field-occurred")).to_have_text("Jan. 15, 2026, 6:30 p.m. PST")
    expect(timeline.nth(3).locator("td.field-occurred time")).to_have_attribute("title", "America/Los_Angeles")
    page.screenshot(path=str(SCREENSHOTS / "package_page_times.png"), full_page=True)

    # The label: where it was registered.
    page.goto(f"{base}/admin/shipments/package/{package.pk}/label/")
    expect(page.locator(".facts")).to_contain_text("01/15/2026 1:46 p.m. EST")

    # Scan results: the clerk's zone (EST or EDT, whenever the test runs).
    other = register_package(origin=nyc, destination=sfo)
    page.goto(f"{base}/admin/shipments/package/scan/NYC01/")
    page.select_option("#id_status", "accepted")
    page.fill("#id_tracking_numbers", other.tracking_number)
    page.click("input[value='Record scans']")
    expect(page.locator("#scan_results td.when")).to_have_text(re.compile(r"^\d\d/\d\d/\d{4} .+ E[SD]T$"))

    # HQ without an office: UTC, said so.
    context.clear_cookies()
    log_in(page, base, hq.username)
    page.goto(f"{base}/admin/shipments/package/?q={package.tracking_number}")
    expect(page.locator("td.field-registered")).to_have_text("01/15/2026 6:46 p.m. UTC")
