"""Issue 23's "Done when", end to end in headless Chromium: a clerk opens a till
with a float, registers three parcels (cash with change, card, prepaid), cancels
one paying its refund in cash on the confirmation page, delivers a COD parcel
collecting the cash on its delivery page (the change shown as it is typed), counts
the drawer a little short and closes the till; the manager closes the day and
prints the report; HQ sees the network's day and the COD remittance list."""

from decimal import Decimal

from playwright.sync_api import expect

from counter.models import Payment, Till
from offices.models import Membership
from shipments.models import Package, Service
from tests.browser.test_handover import sign
from tests.counter.conftest import at_destination, card, counter_package
from tests.factories import OfficeFactory, TariffFactory, UserFactory, clerk_at
from tests.helpers import SCREENSHOTS, log_in


def register(page, base, sender: str, method: str, **payment: str) -> Package:
    """Fill the register form for ``sender``, quote, pay by ``method`` and register."""
    page.goto(f"{base}/admin/shipments/package/add/")
    page.click(".field-destination_office .select2-selection")
    page.fill(".select2-search__field", "BOS")
    page.click(".select2-results__option >> text=BOS01")
    for field, value in {
        "weight_grams": "1500",
        "length_cm": "30",
        "width_cm": "20",
        "height_cm": "10",
        "sender_name": sender,
        "sender_line1": "1 Navy Yard",
        "sender_city": "New York",
        "receiver_name": "Alan Turing",
        "receiver_line1": "2 Bletchley Rd",
        "receiver_city": "Boston",
    }.items():
        page.fill(f"#id_{field}", value)
    page.uncheck("#id_accept")
    page.click("input[name=_quote]")
    expect(page.locator("#quote")).to_contain_text("Price:")
    page.select_option("#id_payment_method", method)
    for field, value in payment.items():
        page.fill(f"#id_{field}", value)
    package_count = Package.objects.count()
    if method == "cash":
        due = Decimal(page.locator("#payment_block").get_attribute("data-due"))
        # The change is shown as the clerk types what was handed over.
        expect(page.locator("#change_due")).to_have_text(f"{Decimal(payment['amount_tendered']) - due:.2f} USD")
        page.screenshot(path=str(SCREENSHOTS / "register_cash_change.png"), full_page=True)
    page.click("#quote input[name=_register]")
    expect(page.locator(".messagelist")).to_contain_text("Registered")
    assert Package.objects.count() == package_count + 1
    return Package.objects.get(sender_name=sender)


def test_a_day_of_money_at_the_counter(live_server, browser_page, proofs_folder):
    nyc = OfficeFactory(code="NYC01", name="New York Midtown")
    bos = OfficeFactory(code="BOS01", name="Boston Back Bay")
    for service in Service.values:
        TariffFactory(service=service, cod_fee=Decimal("2.50"))
    clerk_at(nyc, username="clerk.nyc01")
    clerk_at(nyc, username="manager.nyc01", role=Membership.Role.MANAGER)
    UserFactory(username="hq", is_superuser=True)
    # A COD parcel registered at Boston for New York, out for delivery at New York.
    cod = counter_package(bos, nyc, clerk_at(bos, username="clerk.bos01"), payment=card(), cod_amount="25.00")
    at_destination(cod, nyc)
    context, page = browser_page
    base = live_server.url

    # The clerk opens a till with a counted float of 100.00.
    log_in(page, base, "clerk.nyc01")
    expect(page.locator("#header_till")).to_have_text("No till open")
    page.click("#header_till")
    page.fill("#id_opening_float", "100.00")
    page.click("input[name=_open]")
    expect(page.locator("#header_till")).to_have_text("Till open at NYC01 (float 100.00 USD)")

    # Three parcels: cash with change, card, prepaid.
    cash_parcel = register(page, base, "Grace Cash", "cash", amount_tendered="50.00")
    expect(page.locator("#payment_state")).to_have_text("Paid (cash)")
    register(page, base, "Carl Card", "card", payment_reference="AUTH-77", card_last4="4242")
    expect(page.locator("#payment_state")).to_have_text("Paid (card)")
    register(page, base, "Pia Prepaid", "prepaid", payment_reference="PP-2026-1")
    expect(page.locator("#payment_state")).to_have_text("Paid (prepaid)")

    # The receipt says how it was paid.
    page.goto(f"{base}/admin/shipments/package/{cash_parcel.pk}/receipt/")
    expect(page.locator("#payment")).to_contain_text("Paid (cash)")
    expect(page.locator("#payment")).to_contain_text("50.00 handed over")

    # The cash parcel is cancelled, its price paid back in cash on the confirmation page.
    page.goto(f"{base}/admin/shipments/package/{cash_parcel.pk}/change/")
    page.click("input[name=_record_cancelled]")
    expect(page.locator("#refund_amount")).to_have_text(
        f"Pay back {cash_parcel.cost_total} USD to the sender, who paid by cash."
    )
    expect(page.locator("#id_refund-payment_method")).to_have_value("cash")  # as it was paid
    expect(page.locator("#refund_block .field-payment_reference")).to_be_hidden()  # cash needs no reference
    page.screenshot(path=str(SCREENSHOTS / "cancel_refund.png"), full_page=True)
    page.select_option("#id_refund-payment_method", "card")
    expect(page.locator("#refund_block .field-payment_reference")).to_be_visible()  # a card refund's reference
    page.fill("#id_refund-payment_reference", "RF-1")
    page.click("input[name=_confirm]")  # paid in cash, paid back in cash: refused, nothing recorded, the page again
    expect(page.locator("#id_refund-payment_method_error")).to_have_text(
        f"Pay back the way it was paid: {cash_parcel.cost_total} by cash."
    )
    page.screenshot(path=str(SCREENSHOTS / "cancel_refund_refused.png"), full_page=True)
    expect(page.locator(".confirm-step")).to_contain_text(f"{cash_parcel.tracking_number} is created.")
    page.select_option("#id_refund-payment_method", "cash")
    assert page.evaluate("window.__cspViolations") == []
    page.click("input[name=_confirm]")
    expect(page.locator(".messagelist")).to_contain_text(
        f"{cash_parcel.tracking_number} is now cancelled at NYC01. "
        f"Refund of {cash_parcel.cost_total} USD (cash) paid back."
    )
    expect(page.locator("#payment_state")).to_have_text("Paid back (cash)")

    # The COD parcel is delivered on its delivery page, its 25.00 collected there in cash.
    page.goto(f"{base}/admin/shipments/package/{cod.pk}/change/")
    expect(page.locator("#cod_state")).to_contain_text("25.00 USD, to collect before delivery")
    page.click("a[data-step=delivered]")
    expect(page.locator("#cod_due")).to_contain_text("Cash on delivery: 25.00 USD to collect")
    page.fill("#id_received_by", "Alan Turing")
    page.select_option("#id_relationship", "addressee")
    page.click("input[name=_hand_over]")  # the money first: refused, naming the amount
    expect(page.locator("#cod_block .errorlist")).to_have_text(
        "Collect the cash on delivery of 25.00 USD: by cash or by card."
    )
    page.select_option("#id_cod-payment_method", "cash")
    page.fill("#id_cod-amount_tendered", "30.00")
    expect(page.locator("#cod_change")).to_have_text("5.00 USD")
    sign(page)
    page.screenshot(path=str(SCREENSHOTS / "cod_delivery.png"), full_page=True)
    page.click("input[name=_hand_over]")
    expect(page.locator(".messagelist")).to_contain_text(
        f"{cod.tracking_number} is now delivered. Cash on delivery of 25.00 USD collected (cash, change 5.00)."
    )
    expect(page.locator("#cod_state")).to_contain_text("25.00 USD, collected")
    expect(page.locator("#handover")).to_contain_text("Delivered to Alan Turing (addressee)")
    assert page.evaluate("window.__cspViolations") == []

    # The cash-up: float + cash parcel - its refund + COD = 125.00 expected; counted 0.30 short.
    page.click("#header_till")
    expect(page.locator("#till_expected")).to_have_text("125.00 USD")
    page.fill("#id_denominations", "100 x 1\n20.00 x 1\n1.00 x 4\n0.10 x 7")
    page.screenshot(path=str(SCREENSHOTS / "cash_up.png"), full_page=True)
    page.click("input[name=_close]")
    expect(page.locator(".messagelist")).to_contain_text(
        "Till closed: expected 125.00, counted 124.70, variance -0.30 USD."
    )
    expect(page.locator("#header_till")).to_have_text("No till open")
    assert Till.objects.get().variance == Decimal("-0.30")

    # The manager closes the day and prints the report (A4).
    context.clear_cookies()
    log_in(page, base, "manager.nyc01")
    page.click("text=Day close NYC01")
    expect(page.locator("#day_parcels")).to_have_text("3")
    expect(page.locator("#day_variance")).to_have_text("-0.30 USD")
    expect(page.locator("#day_cod")).to_have_text("25.00 USD")
    expect(page.locator("#day_refunds")).to_have_text(f"-{cash_parcel.cost_total} USD")
    page.click("input[name=_close_day]")
    expect(page.locator("#day_state")).to_contain_text("Closed")
    expect(page.locator("#day_state")).to_contain_text("manager.nyc01")
    page.emulate_media(media="print")
    expect(page.locator("#print_day")).to_be_hidden()
    pdf = page.pdf(prefer_css_page_size=True)
    assert pdf.startswith(b"%PDF")
    page.emulate_media(media="screen")
    page.screenshot(path=str(SCREENSHOTS / "day_close.png"), full_page=True)

    # HQ sees the network's day and the COD owed to Boston's sender.
    context.clear_cookies()
    log_in(page, base, "hq")
    page.click("text=Network day")
    expect(page.locator("#network_offices")).to_contain_text("NYC01")
    expect(page.locator("#network_offices")).to_contain_text("BOS01")  # where the COD parcel was registered
    expect(page.locator("#day_parcels")).to_have_text("4")
    page.click("#network_offices >> text=NYC01")  # each office's day, closed
    expect(page.locator("#day_state")).to_contain_text("Closed")
    page.click("text=COD remittances")
    expect(page.locator("#remittances")).to_contain_text(cod.tracking_number)
    expect(page.locator("#remittances")).to_contain_text("25.00 USD")
    assert Payment.objects.filter(kind="cod", package=cod).exists()
