"""The cost report in the browser: its date pickers, and HQ's whole-network report."""

from datetime import timedelta
from pathlib import Path

from django.utils import timezone
from playwright.sync_api import expect

from offices.models import Membership
from shipments.models import Service
from shipments.services import package_record_event
from tests.factories import OfficeFactory, TariffFactory, clerk_at, register_package
from tests.helpers import SCREENSHOTS, log_in


def _overlap(one: dict, other: dict) -> bool:
    return not (
        one["x"] + one["width"] <= other["x"]
        or other["x"] + other["width"] <= one["x"]
        or one["y"] + one["height"] <= other["y"]
        or other["y"] + other["height"] <= one["y"]
    )


def test_the_date_pickers_are_the_admins_styled_calendar_beside_the_field(live_server, browser_page):
    office = OfficeFactory(code="NYC01", name="New York Midtown", time_zone="America/New_York")
    register_package(origin=office, destination=OfficeFactory(code="BOS01"))
    clerk_at(office, username="manager.nyc01", role=Membership.Role.MANAGER)
    context, page = browser_page
    log_in(page, live_server.url, "manager.nyc01")
    page.click("text=Cost report NYC01")
    expect(page.locator("#total_packages")).to_have_text("1")

    # The calendar icon is the admin's picture, not an empty grey bar.
    icon = page.locator("#calendarlink0 .date-icon")
    assert "icon-calendar.svg" in icon.evaluate("element => getComputedStyle(element).backgroundImage")
    assert icon.bounding_box()["width"] == 24

    for number in (0, 1):
        page.click(f"#calendarlink{number}")
        calendar = page.locator(f"#calendarbox{number}")
        expect(calendar).to_be_visible()
        # Styled by the admin's widgets.css: placed beside its field, framed, not over the chart.
        assert calendar.evaluate("element => getComputedStyle(element).position") == "absolute"
        assert calendar.evaluate("element => getComputedStyle(element).borderTopStyle") == "solid"
        box, field = calendar.bounding_box(), page.locator(f"#calendarlink{number}").bounding_box()
        assert abs(box["x"] - (field["x"] + 17)) < 2
        assert not _overlap(box, page.locator("svg.chart").first.bounding_box())
        expect(calendar.locator("caption")).to_be_visible()
        page.screenshot(path=str(SCREENSHOTS / f"report_calendar_{number}.png"))
        calendar.locator(".calendar-cancel a").click()
        expect(calendar).to_be_hidden()


def test_hq_reads_the_whole_networks_report(live_server, browser_page):
    offices = [
        OfficeFactory(code=code, name=name, time_zone=zone)
        for code, name, zone in (
            ("NYC01", "New York Midtown", "America/New_York"),
            ("BOS01", "Boston Back Bay", "America/New_York"),
            ("CHI01", "Chicago Loop", "America/Chicago"),
            ("SFO01", "San Francisco Market St", "America/Los_Angeles"),
        )
    ]
    for service, base in ((Service.STANDARD, "5.00"), (Service.EXPRESS, "9.00"), (Service.OVERNIGHT, "19.00")):
        TariffFactory(service=service, base_fee=base)
    services = list(Service.values)
    now = timezone.now()
    for number in range(40):
        origin = offices[number % 4 if number % 3 else 0]  # New York is the busiest counter
        destination = offices[(number + 1 + number // 4) % 4]
        destination = destination if destination != origin else offices[(offices.index(origin) + 1) % 4]
        package = register_package(
            origin=origin,
            destination=destination,
            service=services[number % 3],
            weight_grams=500 + 300 * (number % 7),
            registered_at=now - timedelta(days=(number * 7) % 29, hours=number % 5),
        )
        if number % 13 == 5:
            package_record_event(package=package, status="cancelled")  # refunded: counts for nothing
    clerk_at(username="hq.person", is_superuser=True)
    context, page = browser_page
    log_in(page, live_server.url, "hq.person")
    page.click("text=Cost reports")
    page.click("#network_report")

    expect(page.locator("h1")).to_have_text("Cost report for the whole network")
    expect(page.locator("#total_packages")).to_have_text(str(40 - 3))
    expect(page.locator(".report-scope")).to_contain_text("UTC days")
    origin_chart = page.locator(".module", has=page.locator("h2", has_text="Revenue by origin office"))
    assert origin_chart.locator("svg.chart rect.bar").count() == 4
    expect(page.locator("#by_office tbody tr")).to_have_count(4)
    expect(page.locator("#by_office tbody tr").first).to_contain_text("Boston Back Bay (BOS01)")
    with page.expect_download() as download:
        page.click("#csv_download")
    text = Path(download.value.path()).read_text()
    assert text.splitlines()[1].startswith("total,network,Whole network,37,")
    assert sum(line.startswith("office,") for line in text.splitlines()) == 4
    page.screenshot(path=str(SCREENSHOTS / "network_report.png"), full_page=True)
