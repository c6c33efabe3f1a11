"""A parcel nobody collected goes back to its sender: after the holding job the
package page and the public tracking say "Returning to sender", it travels back
to its origin, and a clerk there hands it to its sender."""

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from shipments.returns import expire_holdings
from shipments.services import package_record_event
from tests.browser.test_handover import sign
from tests.factories import OfficeFactory, clerk_at, party, register_package
from tests.helpers import log_in


def test_a_parcel_past_its_holding_period_goes_back_and_is_handed_to_its_sender(live_server, browser_page):
    nyc = OfficeFactory(code="NYC01", name="New York Midtown")
    bos = OfficeFactory(code="BOS01", name="Boston Back Bay", holding_days=10)
    start = timezone.now() - timedelta(days=12)
    package = register_package(
        origin=nyc, destination=bos, registered_at=start, accept=True, sender=party("Sam Sender")
    )
    package_record_event(package=package, status="in_transit", occurred_at=start + timedelta(hours=1))
    package_record_event(package=package, status="arrived", office=bos, occurred_at=start + timedelta(hours=8))
    package_record_event(package=package, status="ready_for_pickup", office=bos, occurred_at=start + timedelta(hours=9))
    clerk_at(bos, username="clerk.bos01")
    clerk_at(nyc, username="clerk.nyc01")

    assert expire_holdings()["returned"] == 1

    context, page = browser_page
    page.goto(f"{live_server.url}/track/?number={package.tracking_number}")
    expect(page.locator("#status-heading")).to_have_text(f"{package.tracking_number}: Returning to sender")
    expect(page.locator(".timeline")).to_contain_text("Returning to sender (not collected within the holding period)")

    log_in(page, live_server.url, "clerk.bos01")
    page_url = f"{live_server.url}/admin/shipments/package/{package.tracking_number}/change/"
    page.goto(page_url)
    expect(page.locator(".tracking-headline")).to_have_text(f"{package.tracking_number} · Returning to sender")
    expect(page.locator("#content-main")).to_contain_text("↩ returning to sender")
    expect(page.locator("input[name=_record_delivered]")).to_have_count(0)
    page.click("input[name=_record_in_transit]")
    expect(page.locator(".messagelist")).to_contain_text(f"{package.tracking_number} is now in transit")

    context.clear_cookies()
    log_in(page, live_server.url, "clerk.nyc01")
    page.goto(page_url)
    page.click("input[name=_record_arrived]")
    expect(page.locator(".messagelist")).to_contain_text(
        f"{package.tracking_number} is now arrived (received) at NYC01"
    )
    # Handed to its sender with a proof, as a delivery is: the handover page and its signature pad.
    page.click("a[data-step=returned]")
    page.fill("#id_received_by", "Sam Sender")
    page.select_option("#id_relationship", "addressee")
    sign(page)
    page.click("input[name=_hand_over]")
    expect(page.locator(".tracking-headline")).to_have_text(f"{package.tracking_number} · Returned")
    assert page.locator("img.proof-signature").evaluate("image => image.complete && image.naturalWidth > 0")

    page.goto(f"{live_server.url}/track/?number={package.tracking_number}")
    expect(page.locator("#status-heading")).to_have_text(f"{package.tracking_number}: Returned")
