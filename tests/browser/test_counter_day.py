"""End to end in headless Chromium: a clerk logs in, registers a package, prints
its label, scans it as accepted and finds it in the list; a manager opens the
report. Screenshots of the register form and the report go to build/screenshots/.
"""

import re

from playwright.sync_api import expect

from offices.models import Membership
from shipments.models import Package, Service
from tests.factories import OfficeFactory, TariffFactory, clerk_at
from tests.helpers import SCREENSHOTS, log_in


def test_a_clerks_counter_day(live_server, browser_page):
    origin = OfficeFactory(code="NYC01", name="New York Midtown")
    OfficeFactory(code="BOS01", name="Boston Back Bay")
    for service in Service.values:
        TariffFactory(service=service)
    clerk_at(origin, username="clerk.nyc01")
    clerk_at(origin, username="manager.nyc01", role=Membership.Role.MANAGER)
    context, page = browser_page
    base = live_server.url

    # Log in and register a package from the home page.
    log_in(page, base, "clerk.nyc01")
    page.click("text=Register a package")
    expect(page.locator("#id_origin_office")).to_have_value(str(origin.pk))
    page.click(".field-destination_office .select2-selection")
    page.fill(".select2-search__field", "BOS")
    page.click(".select2-results__option >> text=BOS01")
    page.select_option("#id_service", "express")
    for field, value in {
        "weight_grams": "2500",
        "length_cm": "40",
        "width_cm": "30",
        "height_cm": "20",
        "declared_value": "150",
        "sender_name": "Grace Hopper",
        "sender_phone": "+12125550142",
        "sender_line1": "1 Navy Yard",
        "sender_city": "New York",
        "receiver_name": "Alan Turing",
        "receiver_email": "alan@example.com",
        "receiver_line1": "2 Bletchley Rd",
        "receiver_city": "Boston",
    }.items():
        page.fill(f"#id_{field}", value)
    page.check("#id_receiver_notify_email")
    page.uncheck("#id_accept")  # handed over later: it is scanned in below
    page.select_option("#id_payment_method", "card")  # paid at the card terminal
    page.fill("#id_payment_reference", "AUTH-77")
    page.fill("#id_card_last4", "4242")
    page.screenshot(path=str(SCREENSHOTS / "register_form.png"), full_page=True)

    page.click("input[name=_quote]")
    expect(page.locator("#quote")).to_contain_text("Price:")
    page.screenshot(path=str(SCREENSHOTS / "register_quote.png"), full_page=True)
    page.click("#quote input[name=_register]")
    expect(page.locator(".messagelist")).to_contain_text("Registered")
    package = Package.objects.get(sender_name="Grace Hopper")
    assert package.status == "created"
    expect(page.locator(".tracking-headline")).to_contain_text(package.tracking_number)

    # Print the label (it opens in a new tab).
    with context.expect_page() as label_tab:
        page.click("text=Print the label")
    label = label_tab.value
    expect(label.locator("#tracking_number")).to_have_text(package.tracking_number)
    assert label.locator(".barcode svg rect").count() > 20
    label.close()

    # Scan it in as accepted at the counter's office.
    page.goto(f"{base}/admin/")
    page.click("text=Scan parcels at NYC01")
    page.select_option("#id_status", "accepted")
    page.fill("#id_tracking_numbers", package.tracking_number.lower() + "\nXX123\n" + package.tracking_number + "\n")
    page.click("input[value='Record scans']")
    # The number scanned twice is its own, neutral line, not a refusal.
    expect(page.locator("#scan_results")).to_contain_text("1 done, 1 refused, 1 scanned twice")
    expect(page.locator("#scan_results td.repeated")).to_have_text("already scanned")
    package.refresh_from_db()
    assert package.status == "accepted"

    # A typo in the number says so, rather than showing an empty list.
    number = package.tracking_number
    typo = number[:10] + str((int(number[10]) + 1) % 10) + number[11:]
    page.goto(f"{base}/admin/shipments/package/")
    page.fill("#searchbar", typo)
    page.press("#searchbar", "Enter")
    expect(page.locator(".messagelist")).to_contain_text(f"{typo} has a wrong check digit")

    # Find it in the list by its number.
    page.goto(f"{base}/admin/shipments/package/")
    page.fill("#searchbar", package.tracking_number)
    page.press("#searchbar", "Enter")
    row = page.locator("#result_list tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Accepted (sent)")
    expect(row).to_contain_text(package.tracking_number)
    row.locator("th a").click()
    expect(page.locator("#next_steps")).to_contain_text("In transit")
    page.screenshot(path=str(SCREENSHOTS / "package_page.png"), full_page=True)

    # The office manager reads the report.
    context.clear_cookies()
    log_in(page, base, "manager.nyc01")
    page.click("text=Cost report NYC01")
    expect(page.locator("#total_packages")).to_have_text("1")
    expect(page.locator("#total_revenue")).to_contain_text(str(package.cost_total))
    assert page.locator("svg.chart rect.bar").count() == 30 + 1  # 30 days, 1 destination
    page.screenshot(path=str(SCREENSHOTS / "report.png"), full_page=True)
    assert re.search(r"format=csv", page.locator("#csv_download").get_attribute("href"))
