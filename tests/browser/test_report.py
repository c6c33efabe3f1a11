"""The cost report in the browser: its date pickers, and HQ's whole-network report."""

from playwright.sync_api import expect

from offices.models import Membership
from tests.factories import OfficeFactory, clerk_at, register_package
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
