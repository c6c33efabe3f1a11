"""Steps that end a journey take a second click, and a refused page is an admin page."""

from playwright.sync_api import expect

from offices.models import Membership
from tests.factories import OfficeFactory, clerk_at, register_package
from tests.helpers import log_in


def test_cancelling_asks_first_and_refunds_only_on_yes(live_server, browser_page):
    nyc = OfficeFactory(code="NYC01", name="New York Midtown")
    package = register_package(origin=nyc, destination=OfficeFactory(code="BOS01"))
    clerk_at(nyc, username="clerk.nyc01")
    context, page = browser_page
    log_in(page, live_server.url, "clerk.nyc01")
    page_url = f"{live_server.url}/admin/shipments/package/{package.tracking_number}/change/"
    page.goto(page_url)
    expect(page.locator("#content .object-tools")).not_to_contain_text("History")
    expect(page.locator("#content .object-tools a.historylink")).to_have_text("Timeline")

    page.click("input[name=_record_cancelled]")
    expect(page.locator("h1")).to_have_text(f"Mark {package.tracking_number} cancelled?")
    expect(page.locator("#content-main")).to_contain_text(
        f"The sender is refunded {package.cost_total} {package.cost_currency} at once"
    )
    page.click("text=No, go back")
    expect(page.locator(".tracking-headline")).to_have_text(f"{package.tracking_number} · Created")
    expect(page.locator("#charges-group tbody tr.has_original")).to_have_count(1)  # the sale only

    page.click("input[name=_record_cancelled]")
    page.click("input[name=_confirm]")
    expect(page.locator(".messagelist")).to_contain_text(f"{package.tracking_number} is now cancelled")
    expect(page.locator(".tracking-headline")).to_have_text(f"{package.tracking_number} · Cancelled")
    expect(page.locator("#charges-group tbody tr.has_original")).to_have_count(2)  # the sale and its refund


def test_a_refused_page_is_drawn_as_an_admin_page(live_server, browser_page):
    nyc = OfficeFactory(code="NYC01")
    clerk_at(nyc, username="manager.nyc01", role=Membership.Role.MANAGER)
    context, page = browser_page
    log_in(page, live_server.url, "manager.nyc01")
    response = page.goto(f"{live_server.url}/admin/auth/user/")
    assert response.status == 403
    expect(page.locator("#site-name")).to_contain_text("Parcel network back-office")
    expect(page.locator("h1")).to_have_text("Not open to you")
    page.click("text=Back to the counter")
    expect(page.locator("h1")).to_have_text("Counter")
