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


def test_the_columns_a_clerk_needs_fit_a_1280_px_screen(live_server, browser_page):
    nyc = OfficeFactory(code="NYC01", name="New York Midtown", time_zone="America/New_York")
    sfo = OfficeFactory(code="SFO01", name="San Francisco Market St", time_zone="America/Los_Angeles")
    clerk_at(nyc, sfo, username="clerk.two")  # a clerk of two offices also gets the "my office" filter
    clerk_at(username="hq.person", is_superuser=True)
    week_ago = timezone.now() - timedelta(days=7)
    for number in range(3):
        package = register_package(
            origin=nyc,
            destination=sfo,
            registered_at=week_ago,
            sender=party(f"Maximilian Featherstonehaugh-{number}"),
            receiver=party("Bartholomew Oppenheimer-Wolfe"),
        )
    package_record_event(package=package, status="accepted", office=nyc, occurred_at=week_ago)  # the last: overdue
    context, page = browser_page
    page.set_viewport_size({"width": 1280, "height": 800})
    for username in ("clerk.two", "hq.person"):
        context.clear_cookies()
        log_in(page, live_server.url, username)
        page.goto(f"{live_server.url}/admin/shipments/package/")
        # Not hidden off to the right: neither past the screen nor clipped by the list's own scroll box.
        results = page.locator("#changelist .results").bounding_box()
        for column in ("receiver", "registered", "expected"):
            header = page.locator(f"#result_list thead th.column-{column}")
            expect(header).to_be_visible()
            box = header.bounding_box()
            assert box["x"] + box["width"] <= min(1280, results["x"] + results["width"]) + 0.5, (username, column)
        assert page.evaluate("document.querySelector('#changelist .results').scrollWidth") <= results["width"] + 0.5
        assert page.evaluate("document.documentElement.scrollWidth") <= 1280
        page.screenshot(path=str(SCREENSHOTS / f"package_list_1280_{username}.png"))


def test_a_network_of_offices_keeps_the_sidebar_short_and_an_office_is_found_by_typing(live_server, browser_page):
    offices = [OfficeFactory(code=f"N{n:03d}", name=f"Network office {n}") for n in range(60)]
    nyc = OfficeFactory(code="NYC01", name="New York Midtown", time_zone="America/New_York")
    clerk_at(username="hq.person", is_superuser=True)
    from_nyc = register_package(origin=nyc, destination=offices[0], sender=party("Nora New York"))
    register_package(origin=offices[1], destination=offices[0], sender=party("Otto Elsewhere"))
    context, page = browser_page
    page.set_viewport_size({"width": 1280, "height": 800})
    log_in(page, live_server.url, "hq.person")
    page.goto(f"{live_server.url}/admin/shipments/package/")

    sidebar = page.locator("#changelist-filter")
    assert sidebar.bounding_box()["height"] < 2000  # was a link per office and filter: 15,140 px at 210 offices
    # The dates are in the first screen.
    date_form = page.locator("form.date-range-filter")
    assert date_form.bounding_box()["y"] + date_form.bounding_box()["height"] <= 800

    origin = page.get_by_label("Origin office: office code")
    expect(origin).to_have_attribute("list", "office-choices")
    assert page.locator("#office-choices option").count() == 61
    origin.fill("nyc01")
    origin.press("Enter")
    expect(page.locator("#result_list tbody tr")).to_have_count(1)
    expect(page.locator("#result_list tbody tr")).to_contain_text(from_nyc.tracking_number)
    expect(page.get_by_label("Origin office: office code")).to_have_value("NYC01")
    page.screenshot(path=str(SCREENSHOTS / "package_list_office_filter.png"), full_page=True)
