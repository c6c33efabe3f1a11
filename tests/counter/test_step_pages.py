"""The pages where money moves with a step: the cancellation's confirmation
page pays the sender back, the delivery page collects the cash on delivery."""

import base64
from decimal import Decimal

import pytest
from django.urls import reverse

from counter.models import Payment
from counter.selectors import payment_state
from counter.services import payment_record
from counter.tills import till_close, till_expected, till_open
from handover.models import Proof
from tests.factories import clerk_at
from tests.handover.images import png
from tests.helpers import login

from .conftest import at_destination, card, cash


@pytest.fixture(autouse=True)
def proof_folder(tmp_path, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "proofs": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}},
    }


@pytest.fixture
def clerk_c(office_c):
    return clerk_at(office_c, username="clerk_c")


def record_url(package) -> str:
    return reverse("admin:shipments_package_record_event", args=[package.pk])


def change_url(package) -> str:
    return reverse("admin:shipments_package_change", args=[package.pk])


def deliver_url(package) -> str:
    return reverse("handover:deliver", args=[package.pk])


# --- the cancellation's refund -----------------------------------------------------------


def cancel_fields(office, **refund) -> dict:
    return {"status": "cancelled", "office": office.pk, "reason": "", "note": "", "received_by": ""} | {
        f"refund-{field}": value for field, value in refund.items()
    }


def test_the_cancellation_page_of_a_paid_parcel_pays_it_back_in_cash(register, till_a, clerk_a, office_a):
    package = register(cash("50.00"))
    client = login(clerk_a)
    page = client.post(record_url(package), cancel_fields(office_a)).content.decode()
    assert f"Mark {package.tracking_number} cancelled?" in page
    assert f"Pay back <strong>{package.cost_total} USD</strong> to the sender, who paid by cash." in page
    assert f"the {package.cost_total} USD they paid is paid back now" in page
    assert '<option value="cash" selected>Cash</option>' in page
    assert "counter/payment-block.js" in page
    assert f'value="Yes, mark it cancelled and pay back {package.cost_total} USD"' in page
    response = client.post(
        record_url(package), {**cancel_fields(office_a, payment_method="cash"), "confirmed": "yes"}, follow=True
    )
    assert (
        f"{package.tracking_number} is now cancelled at AAA01. Refund of {package.cost_total} USD (cash) paid back."
        in response.content.decode()
    )
    package.refresh_from_db()
    assert package.status == "cancelled"
    assert Payment.objects.get(package=package, kind="refund").till == till_a
    assert payment_state(package).paid == Decimal("0.00")


def test_a_price_paid_two_ways_is_cancelled_first_and_paid_back_from_the_payment_form(
    register, till_a, clerk_a, office_a
):
    package = register(None)
    half = (package.cost_total / 2).quantize(Decimal("0.01"))
    rest = package.cost_total - half
    payment_record(package=package, actor=clerk_a, kind="payment", tender=cash("50.00"), amount=half)
    payment_record(package=package, actor=clerk_a, kind="payment", tender=card(), amount=rest)
    client = login(clerk_a)
    page = client.post(record_url(package), cancel_fields(office_a)).content.decode()
    ways = " and ".join(sorted([f"{rest} by card", f"{half} by cash"], key=lambda way: way.split(" by ")[1]))
    assert f"the {package.cost_total} USD they paid ({ways}) is paid back afterwards" in page
    assert "refund_block" not in page  # no one-way refund offered
    response = client.post(record_url(package), {**cancel_fields(office_a), "confirmed": "yes"}, follow=True)
    assert f"{package.tracking_number} is now cancelled at AAA01." in response.content.decode()
    assert f"Cancelled: {package.cost_total} USD to pay back" in response.content.decode()


def test_a_refused_refund_cancels_nothing_and_says_why(register, clerk_a, office_a, till_a):
    package = register(cash("50.00"))
    till_close(actor=clerk_a, till=till_a, counted=till_expected(till_a))
    client = login(clerk_a)
    confirmed = {**cancel_fields(office_a, payment_method="cash"), "confirmed": "yes"}
    response = client.post(record_url(package), confirmed)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Nothing recorded: please correct the refund below." in page
    assert "Open a till at AAA01 before taking or paying out cash." in page  # at the method's field
    assert f"Mark {package.tracking_number} cancelled?" in page  # the form again
    response = client.post(
        record_url(package), {**confirmed, "refund-payment_method": "card", "refund-payment_reference": "RF-77"}
    )
    assert f"Pay back the way it was paid: {package.cost_total} by cash." in response.content.decode()
    package.refresh_from_db()
    assert package.status == "created"
    assert not Payment.objects.filter(package=package, kind="refund").exists()
    till = till_open(actor=clerk_a, office=office_a, opening_float="100.00")
    response = client.post(record_url(package), confirmed, follow=True)
    assert f"Refund of {package.cost_total} USD (cash) paid back." in response.content.decode()
    assert Payment.objects.get(package=package, kind="refund").till == till


def test_a_parcel_with_nothing_paid_is_cancelled_without_a_refund(register, clerk_a, office_a, settings):
    settings.COUNTER_UNPAID_ALLOWED = True
    package = register(None)
    client = login(clerk_a)
    page = client.post(record_url(package), cancel_fields(office_a)).content.decode()
    assert "refund_block" not in page
    assert "Nothing was paid for it, so nothing is paid back" in page
    response = client.post(record_url(package), {**cancel_fields(office_a), "confirmed": "yes"}, follow=True)
    assert f"{package.tracking_number} is now cancelled at AAA01." in response.content.decode()
    assert not Payment.objects.filter(package=package, kind="refund").exists()


# --- the delivery's cash on delivery ---------------------------------------------------------


@pytest.fixture
def cod_parcel(register, cod_tariff, office_c):
    return at_destination(register(card(), cod_amount="25.00"), office_c)


def delivery(**cod) -> dict:
    signature = "data:image/png;base64," + base64.b64encode(png()).decode()
    proof = {"received_by": "Rita Receiver", "relationship": "addressee", "signature_png": signature}
    return proof | {f"cod-{field}": value for field, value in cod.items()}


def test_the_delivery_page_collects_the_cod_in_cash(cod_parcel, clerk_c, office_c):
    client = login(clerk_c)
    page = client.get(deliver_url(cod_parcel)).content.decode()
    assert "Cash on delivery: <strong>25.00 USD</strong> to collect" in page
    assert 'data-payment-block data-due="25.00" data-currency="USD"' in page
    assert "counter/payment-block.js" in page
    response = client.post(deliver_url(cod_parcel), delivery())
    assert response.status_code == 200
    assert "Collect the cash on delivery of 25.00 USD: by cash or by card." in response.content.decode()
    response = client.post(deliver_url(cod_parcel), delivery(payment_method="cash", amount_tendered="30.00"))
    assert "Open a till at CCC01 before taking or paying out cash." in response.content.decode()
    response = client.post(deliver_url(cod_parcel), delivery(payment_method="cash", amount_tendered="20.00"))
    assert "The customer handed over less than 25.00." in response.content.decode()
    assert not Proof.objects.exists()
    assert not Payment.objects.filter(kind="cod").exists()

    till_open(actor=clerk_c, office=office_c, opening_float="0")
    response = client.post(
        deliver_url(cod_parcel), delivery(payment_method="cash", amount_tendered="30.00"), follow=True
    )
    page = response.content.decode()
    assert (
        f"{cod_parcel.tracking_number} is now delivered. Cash on delivery of 25.00 USD collected (cash, change 5.00)."
        in page
    )
    assert "Cash on delivery: 25.00 USD, collected." in page
    cod_parcel.refresh_from_db()
    assert cod_parcel.status == "delivered"


def test_the_delivery_page_collects_the_cod_by_card(cod_parcel, clerk_c):
    client = login(clerk_c)
    response = client.post(deliver_url(cod_parcel), delivery(payment_method="card", payment_reference="AUTH-5"))
    assert "The card&#x27;s last four digits." in response.content.decode()
    response = client.post(
        deliver_url(cod_parcel), delivery(payment_method="card", payment_reference="AUTH-5", card_last4="0005")
    )
    assert response.status_code == 302
    collected = Payment.objects.get(package=cod_parcel, kind="cod")
    assert (collected.method, collected.reference, collected.card_last4) == ("card", "AUTH-5", "0005")


def test_a_collected_cod_is_shown_as_collected(cod_parcel, clerk_c):
    from counter.services import payment_record

    payment_record(package=cod_parcel, actor=clerk_c, kind="cod", tender=card(reference="COD-1"))
    client = login(clerk_c)
    page = client.get(deliver_url(cod_parcel)).content.decode()
    assert "Cash on delivery: 25.00 USD, collected." in page
    assert "cod-payment_method" not in page
    assert client.post(deliver_url(cod_parcel), delivery()).status_code == 302
