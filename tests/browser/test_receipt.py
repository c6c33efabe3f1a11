"""The sender's receipt: printable on A4 and on an 80 mm roll, with the number as
a barcode and the public tracking link as a QR code."""

import re
from decimal import Decimal

import segno
from playwright.sync_api import expect

from offices.models import Location
from shipments.models import Service
from shipments.services import package_record_event
from shipments.values import Address, Party
from tests.factories import OfficeFactory, TariffFactory, clerk_at, register_package
from tests.helpers import SCREENSHOTS, log_in

MM = 96 / 25.4  # CSS pixels per millimetre
POINTS_PER_MM = 72 / 25.4


def page_sizes(pdf: bytes) -> list[tuple[float, float]]:
    """The (width, height) in mm of each page of a PDF Chromium printed."""
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    return [(float(width) / POINTS_PER_MM, float(height) / POINTS_PER_MM) for width, height in boxes]


def test_the_receipt_prints_on_a4_and_on_an_80_mm_roll(live_server, browser_page):
    nyc = OfficeFactory(
        code="NYC01",
        name="New York Midtown",
        time_zone="America/New_York",
        phone="+1 212 555 0100",
        location=Location.objects.create(
            line1="350 5th Ave",
            city="New York",
            region="NY",
            postal_code="10118",
            country="US",
            latitude=Decimal("40.748400"),
            longitude=Decimal("-73.985700"),
        ),
    )
    bos = OfficeFactory(
        code="BOS01",
        name="Boston Back Bay",
        location=Location.objects.create(
            line1="800 Boylston St",
            city="Boston",
            region="MA",
            postal_code="02199",
            country="US",
            latitude=Decimal("42.347200"),
            longitude=Decimal("-71.082500"),
        ),
    )
    TariffFactory(service=Service.EXPRESS, transit_days=2)
    clerk = clerk_at(nyc, username="clerk.nyc01")
    package = register_package(
        origin=nyc,
        destination=bos,
        actor=clerk,
        service=Service.EXPRESS,
        weight_grams=2500,
        length_cm=40,
        width_cm=30,
        height_cm=20,
        declared_value=Decimal("150.00"),
        sender=Party(
            name="Grace Hopper",
            phone="+12125550142",
            email="",
            address=Address(line1="1 Navy Yard", city="New York", region="NY", postal_code="11205", country="US"),
        ),
        receiver=Party(
            name="Alan Turing",
            phone="",
            email="alan@example.com",
            address=Address(line1="2 Bletchley Rd", city="Boston", region="MA", postal_code="02116", country="US"),
        ),
    )
    package_record_event(package=package, status="accepted", office=nyc, actor=clerk)
    package.refresh_from_db()
    context, page = browser_page
    log_in(page, live_server.url, "clerk.nyc01")
    page.goto(f"{live_server.url}/admin/shipments/package/{package.tracking_number}/change/")
    with context.expect_page() as tab:
        page.click("text=Print receipt")
    receipt = tab.value

    expect(receipt.locator("#tracking_number")).to_have_text(package.tracking_number)
    assert receipt.locator(".barcode svg rect").count() > 20
    tracking_url = f"{live_server.url}/track/?number={package.tracking_number}"
    expect(receipt.locator("#tracking_url")).to_have_text(tracking_url)
    # The QR code is the tracking link, absolute, as a phone's camera needs it.
    drawn = receipt.locator("#qr_code svg path").get_attribute("d")
    assert drawn == re.search(r' d="([^"]+)"', segno.make(tracking_url, error="m").svg_inline()).group(1)
    expect(receipt.locator("#sender")).to_contain_text("Grace Hopper")
    expect(receipt.locator("#sender")).to_contain_text("1 Navy Yard, New York, NY, 11205, US")
    expect(receipt.locator("#receiver")).to_contain_text("Alan Turing")
    expect(receipt.locator("#service")).to_have_text("Express")
    expect(receipt.locator("#eta")).to_have_text(re.compile(r"^\w{3}\.? \d+, \d{4}, .+ E[SD]T$"))
    expect(receipt.locator("#cost_total")).to_have_text(f"{package.cost_total} {package.cost_currency}")
    expect(receipt.locator("#cost")).to_contain_text(str(package.cost_tax))

    # On paper: no buttons, A4, one page.
    receipt.emulate_media(media="print")
    expect(receipt.locator(".toolbar")).to_be_hidden()
    assert abs(receipt.locator("#receipt").bounding_box()["width"] - 180 * MM) < 2
    sizes = page_sizes(receipt.pdf(prefer_css_page_size=True))
    assert len(sizes) == 1
    assert abs(sizes[0][0] - 210) < 1
    assert abs(sizes[0][1] - 297) < 1
    receipt.locator("#receipt").screenshot(path=str(SCREENSHOTS / "receipt_a4.png"))

    # The counter's thermal printer: 80 mm wide, 72 mm printed.
    receipt.emulate_media(media="screen")
    receipt.click("#paper_80mm")
    expect(receipt.locator("#paper_80mm")).to_have_attribute("aria-current", "true")
    receipt.emulate_media(media="print")
    box = receipt.locator("#receipt").bounding_box()
    assert abs(box["width"] - 72 * MM) < 2
    sizes = page_sizes(receipt.pdf(prefer_css_page_size=True))
    assert len(sizes) == 1
    assert abs(sizes[0][0] - 80) < 1
    # A roll's page is as long as the receipt (4 mm margins, a few mm to spare), not an A4's 297 mm.
    content_mm = box["height"] / MM
    assert content_mm + 8 <= sizes[0][1] <= content_mm + 20, (content_mm, sizes[0][1])
    # The QR code and the barcode sit in the middle of the roll.
    middle = box["x"] + box["width"] / 2
    for code in ("#qr_code svg", ".barcode svg"):
        drawn = receipt.locator(code).bounding_box()
        assert abs(drawn["x"] + drawn["width"] / 2 - middle) < 1 * MM, code
    receipt.locator("#receipt").screenshot(path=str(SCREENSHOTS / "receipt_80mm.png"))

    # The link on the receipt finds the parcel on the public tracking page.
    receipt.goto(tracking_url)
    expect(receipt.locator("body")).to_contain_text(package.tracking_number)
