"""The issue's "Done when", in headless Chromium: a clerk of NYC01 opens a bag for
BOS01, scans parcels in, closes it, prints its label and the dispatch list and
dispatches it; a clerk of BOS01 receives it with one scan, opens it, finds one
parcel missing and one extra; HQ sees the discrepancy."""

from decimal import Decimal

from playwright.sync_api import expect

from dispatches.models import Bag
from dispatches.services import bag_add_parcel, bag_close, bag_open
from shipments.models import Package, Service
from tests.factories import OfficeFactory, TariffFactory, UserFactory, clerk_at, register_package
from tests.helpers import SCREENSHOTS, log_in


def test_a_bag_from_new_york_to_boston(live_server, browser_page):
    nyc = OfficeFactory(code="NYC01", name="New York Midtown", exchange_code="USNYCA", time_zone="America/New_York")
    bos = OfficeFactory(code="BOS01", name="Boston Back Bay", exchange_code="USBOSA", time_zone="America/New_York")
    for service in Service.values:
        TariffFactory(service=service)
    clerk_at(nyc, username="clerk.nyc01")
    clerk_at(bos, username="clerk.bos01")
    UserFactory(username="hq", is_superuser=True)
    parcels = [
        register_package(origin=nyc, destination=bos, accept=True, declared_value=Decimal(value))
        for value in ("0", "0", "120.00")
    ]
    # The extra parcel: it travels in another bag of the same truck, but turns up in ours.
    stray = register_package(origin=nyc, destination=bos, accept=True)
    context, page = browser_page
    base = live_server.url

    log_in(page, base, "clerk.nyc01")
    page.click("text=Open a bag")
    page.select_option("#id_destination_office", str(bos.pk))
    page.select_option("#id_category", "C")
    page.click("input[value='Open the bag']")
    expect(page.locator(".messagelist")).to_contain_text("is open")
    page.fill("#id_tracking_numbers", "\n".join(parcel.tracking_number for parcel in parcels))
    page.click("input[value='Add to the bag']")
    expect(page.locator("#scan_results td.added")).to_have_count(3)
    page.fill("#id_weight_kg", "6.4")
    page.fill("#id_seal", "SEAL-0042")
    page.click("input[value='Close the bag']")
    expect(page.locator(".messagelist")).to_contain_text("Bag closed")
    bag = Bag.objects.get(origin_office=nyc, seal="SEAL-0042")
    expect(page.locator("#bag_state")).to_have_text("Closed")

    # The stray's own bag closes too; both leave in one dispatch (it goes missing from it later).
    other = bag_open(actor=None, origin_office=nyc, destination_office=bos, category="C")
    bag_add_parcel(actor=None, bag=other, package=stray)
    bag_close(actor=None, bag=other, weight_kg="1.0", seal="SEAL-0043")

    page.click("#label_link")
    expect(page.locator("#bag_label svg")).to_be_visible()
    s9 = bag.identifier
    expect(page.locator("#s9_groups")).to_have_text(
        f"{s9[0:6]} {s9[6:12]} {s9[12:15]} {s9[15:20]} {s9[20:23]} {s9[23:25]} {s9[25:]}"
    )
    expect(page.locator("#bag_label")).to_contain_text("3 parcels")
    expect(page.locator("#bag_label .registered")).to_have_text("R")
    page.screenshot(path=str(SCREENSHOTS / "bag_label.png"), full_page=True)
    assert page.evaluate("window.__cspViolations") == []

    page.goto(f"{base}/admin/")
    page.click("text=Dispatch bags")
    page.click(f"input[value='Dispatch {bag.identifier[:20]}']")
    expect(page.locator("#dispatch_identifier")).to_have_text(bag.identifier[:20])
    expect(page.locator("#dispatch_bags")).to_contain_text(bag.identifier)
    expect(page.locator("#dispatch_bags")).to_contain_text("SEAL-0042")
    page.screenshot(path=str(SCREENSHOTS / "dispatch_list.png"), full_page=True)
    assert Package.objects.get(pk=parcels[0].pk).status == "in_transit"
    assert Package.objects.get(pk=stray.pk).status == "in_transit"

    # At the other end.
    context.clear_cookies()
    log_in(page, base, "clerk.bos01")
    page.click("text=Receive a bag")
    page.fill("#id_identifier", bag.identifier)
    page.keyboard.press("Enter")
    expect(page.locator(".messagelist")).to_contain_text("received")
    expect(page.locator("#bag_state")).to_have_text("Received")
    page.fill("#id_found", f"{parcels[0].tracking_number}\n{parcels[1].tracking_number}\n{stray.tracking_number}")
    page.fill("#check_bag #id_weight_kg", "6.1")
    page.click("input[value='Check against the list']")
    expect(page.locator("#check_result h2")).to_have_text("1 missing, 1 extra")
    expect(page.locator("#check_result")).to_contain_text(parcels[2].tracking_number)
    expect(page.locator("#check_result")).to_contain_text(stray.tracking_number)
    page.screenshot(path=str(SCREENSHOTS / "bag_check.png"), full_page=True)

    context.clear_cookies()
    log_in(page, base, "hq")
    page.click("text=Open discrepancies")
    expect(page.locator("#result_list")).to_contain_text(parcels[2].tracking_number)
    expect(page.locator("#result_list")).to_contain_text(bag.identifier)
