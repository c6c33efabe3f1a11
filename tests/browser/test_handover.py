"""A clerk hands parcels over at the counter in Chromium: a drawn signature and
a photo that the package page then shows, and a valuable parcel that is refused
without its collection code and handed over with the code its receiver got
(the `log` notification backend stands in for the SMS)."""

import logging
import re

from playwright.sync_api import expect

from offices.models import Membership
from shipments.services import package_record_event
from tests.factories import OfficeFactory, clerk_at, party, register_package
from tests.handover.images import png
from tests.helpers import log_in

CODE = re.compile(r"Collection code: (\d{6})")


def waiting_at(origin, destination, **parcel):
    package = register_package(origin=origin, destination=destination, **parcel)
    for status, office in (("accepted", origin), ("in_transit", origin), ("arrived", destination)):
        package_record_event(package=package, status=status, office=office)
    package_record_event(package=package, status="ready_for_pickup", office=destination)
    return package


def sign(page) -> None:
    pad = page.locator("canvas.signature-pad")
    pad.scroll_into_view_if_needed()  # the mouse draws where the screen shows it
    box = pad.bounding_box()
    page.mouse.move(box["x"] + 40, box["y"] + 100)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(box["x"] + 40 + step * 30, box["y"] + 100 - (step % 3) * 25, steps=3)
    page.mouse.up()


def image_loaded(page, selector: str) -> bool:
    return page.locator(selector).evaluate("image => image.complete && image.naturalWidth > 0")


def test_a_counter_handover_with_a_signature_a_photo_and_a_collection_code(
    live_server, browser_page, proofs_folder, caplog, tmp_path
):
    boston, nyc = OfficeFactory(code="BOS01"), OfficeFactory(code="NYC01", name="New York Midtown")
    clerk_at(nyc, username="clerk.nyc01")
    clerk_at(nyc, username="manager.nyc01", role=Membership.Role.MANAGER)
    parcel = waiting_at(boston, nyc, receiver=party("Jane Smith"))
    with caplog.at_level(logging.INFO, logger="notifications"):
        valuable = waiting_at(
            boston, nyc, declared_value=1500, receiver=party("Victor Valuable", phone="+12125550142", notify_sms=True)
        )
    (code,) = {match for record in caplog.records for match in CODE.findall(record.getMessage())}
    photo = tmp_path / "door.png"
    photo.write_bytes(png(60, 40))

    context, page = browser_page
    log_in(page, live_server.url, "clerk.nyc01")
    page.goto(f"{live_server.url}/admin/shipments/package/{parcel.tracking_number}/change/")
    page.click("a[data-step=delivered]")
    expect(page.locator("h1")).to_have_text(f"Hand over {parcel.tracking_number}")
    page.fill("#id_received_by", "Jane Smith")
    page.select_option("#id_relationship", "addressee")
    page.set_input_files("#id_photo", str(photo))
    sign(page)
    page.click("input[name=_hand_over]")
    expect(page.locator(".messagelist")).to_contain_text(f"{parcel.tracking_number} is now delivered")
    expect(page.locator("#handover")).to_contain_text("Delivered to Jane Smith (addressee)")
    assert image_loaded(page, "img.proof-signature")
    assert image_loaded(page, "img.proof-photo")
    assert page.evaluate("window.__cspViolations") == []
    with page.expect_popup() as opened:
        page.click("text=Print the delivery receipt")
    receipt = opened.value
    expect(receipt.locator("h1")).to_have_text("Delivery receipt")
    expect(receipt.locator("main")).to_contain_text("Jane Smith (addressee)")
    receipt.wait_for_load_state()
    assert image_loaded(receipt, ".signature img")
    assert receipt.evaluate("window.__cspViolations") == []
    receipt.close()

    page.goto(f"{live_server.url}/admin/shipments/package/{valuable.tracking_number}/change/")
    expect(page.locator("#handover")).to_contain_text("only against the collection code sent to the receiver by sms")
    page.click("a[data-step=delivered]")
    expect(page.locator("#content-main")).to_contain_text("Ask for the collection code")
    page.fill("#id_received_by", "Victor Valuable")
    page.select_option("#id_relationship", "addressee")
    sign(page)
    page.click("input[name=_hand_over]")
    expect(page.locator(".errorlist")).to_contain_text("only against the collection code sent to its receiver")
    assert page.evaluate("window.__cspViolations") == []  # the delivery page, its pad's script included
    page.fill("#id_collection_code", code)  # the signature drawn before stays on the pad
    page.click("input[name=_hand_over]")
    expect(page.locator(".messagelist")).to_contain_text(f"{valuable.tracking_number} is now delivered")
    expect(page.locator("#handover")).to_contain_text("collection code checked")
    assert code not in page.content()
    assert page.evaluate("window.__cspViolations") == []
