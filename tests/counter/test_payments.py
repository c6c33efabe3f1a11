"""Payments at the counter: registration records how the price was paid,
refunds never exceed what was paid, money is refused in every malformed shape."""

import threading
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test import override_settings

from counter.models import CounterSettings, Payment
from counter.selectors import payment_state
from counter.services import Conflict, Tender, payment_record
from shipments.exceptions import IllegalTransition, OfficeNotAllowed, ShipmentError
from shipments.services import package_record_event
from shipments.statuses import Status

from .conftest import card, cash


def test_cash_registration_records_the_tendered_amount_and_the_change(register, till_a):
    package = register(cash("50.00"), accept=True)
    payment = Payment.objects.get(package=package)
    assert (payment.kind, payment.method, payment.amount) == ("payment", "cash", package.cost_total)
    assert payment.tendered == Decimal("50.00")
    assert payment.change == Decimal("50.00") - package.cost_total
    assert payment.till == till_a
    assert payment.clerk == till_a.clerk
    assert payment_state(package).label == "Paid (cash)"
    package.refresh_from_db()
    assert package.status == Status.ACCEPTED


def test_cash_without_an_open_till_is_refused_with_a_clear_message(register):
    with pytest.raises(Conflict, match="Open a till at AAA01"):
        register(cash())
    assert not Payment.objects.exists()


def test_card_and_prepaid_need_their_references(register):
    package = register(card())
    assert payment_state(package).label == "Paid (card)"
    assert Payment.objects.get(package=package).card_last4 == "4242"
    assert payment_state(register(Tender(method="prepaid", reference="PP-1"))).label == "Paid (prepaid)"
    with pytest.raises(ShipmentError) as caught:
        register(Tender(method="card", reference="", card_last4="42"))
    assert set(caught.value.details) == {"payment.reference", "payment.card_last4"}


@pytest.mark.parametrize(
    "tender",
    [
        Tender(method="card", reference="AUTH", card_last4="4242424242424242"),
        Tender(method="card", reference="4242 4242 4242 4242", card_last4="4242"),
        Tender(method="prepaid", reference="4242-4242-4242-4242"),
    ],
)
def test_a_card_number_is_never_taken(register, tender):
    with pytest.raises(ShipmentError, match="card number") as caught:
        register(tender)
    assert caught.value.code == "card_number"
    assert not Payment.objects.exists()


@pytest.mark.parametrize("tendered", ["-5", "NaN", "1e30", "10.001", "Infinity", "abc"])
def test_a_malformed_tendered_amount_names_the_field(register, till_a, tendered):
    with pytest.raises(ShipmentError) as caught:
        register(Tender(method="cash", amount_tendered=tendered))
    assert "payment.amount_tendered" in caught.value.details


def test_cash_less_than_the_price_is_refused(register, till_a):
    with pytest.raises(ShipmentError, match="less than"):
        register(cash("1.00"))


def test_another_currency_is_refused(register, till_a):
    with pytest.raises(ShipmentError) as caught:
        register(Tender(method="cash", amount_tendered=Decimal("100"), currency="EUR"))
    assert caught.value.details == {"payment.currency": "Must be USD."}


@override_settings(COUNTER_UNPAID_ALLOWED=False)
def test_unpaid_only_where_the_office_allows_it_and_never_accepted_unpaid(register, office_a, clerk_a, till_a):
    with pytest.raises(ShipmentError) as caught:
        register(None)
    assert "payment" in caught.value.details
    CounterSettings.objects.create(
        office=office_a, unpaid_allowed=True, variance_limit=Decimal("5"), cod_limit=Decimal("100")
    )
    with pytest.raises(ShipmentError, match="accepted once it is paid"):
        register(None, accept=True)
    package = register(None)
    assert payment_state(package).label == f"Unpaid: {package.cost_total} USD due"
    with pytest.raises(IllegalTransition, match=f"Take the payment of {package.cost_total} USD"):
        package_record_event(package=package, status=Status.ACCEPTED, actor=clerk_a)
    payment_record(package=package, actor=clerk_a, kind="payment", tender=cash("20.00"))
    package_record_event(package=package, status=Status.ACCEPTED, actor=clerk_a)
    assert payment_state(package).label == "Paid (cash)"


@override_settings(COUNTER_UNPAID_ALLOWED=True)
def test_a_payment_never_takes_more_than_is_due(register, clerk_a, till_a):
    package = register(None)
    with pytest.raises(ShipmentError, match="Only"):
        payment_record(
            package=package, actor=clerk_a, kind="payment", tender=cash("100"), amount=package.cost_total + 1
        )
    payment_record(package=package, actor=clerk_a, kind="payment", tender=cash("100"), amount=Decimal("1.00"))
    payment_record(package=package, actor=clerk_a, kind="payment", tender=card())
    with pytest.raises(ShipmentError, match="paid already"):
        payment_record(package=package, actor=clerk_a, kind="payment", tender=card(), amount=Decimal("0.01"))
    assert payment_state(package).paid == package.cost_total


def test_a_cancellation_is_refunded_the_same_way_never_more_than_was_paid(register, clerk_a, till_a):
    package = register(cash("50.00"))
    with pytest.raises(ShipmentError, match="Cancel the parcel"):
        payment_record(package=package, actor=clerk_a, kind="refund", tender=Tender(method="cash"))
    package_record_event(package=package, status=Status.CANCELLED, actor=clerk_a)
    with pytest.raises(ShipmentError, match="refund at most"):
        payment_record(
            package=package, actor=clerk_a, kind="refund", tender=Tender(method="cash"), amount=package.cost_total + 1
        )
    refund = payment_record(package=package, actor=clerk_a, kind="refund", tender=Tender(method="cash"))
    assert refund.amount == -package.cost_total
    assert refund.till == till_a
    assert payment_state(package).paid == 0
    with pytest.raises(ShipmentError, match="refund at most"):
        payment_record(package=package, actor=clerk_a, kind="refund", tender=Tender(method="cash"), amount="0.01")


def test_a_card_refund_needs_its_reference(register, clerk_a):
    package = register(card())
    package_record_event(package=package, status=Status.CANCELLED, actor=clerk_a)
    with pytest.raises(ShipmentError) as caught:
        payment_record(package=package, actor=clerk_a, kind="refund", tender=Tender(method="card"))
    assert "reference" in caught.value.details
    payment_record(package=package, actor=clerk_a, kind="refund", tender=Tender(method="card", reference="RF-1"))


def test_a_correction_is_a_managers_with_a_reason(register, clerk_a, manager_a, office_a):
    package = register(card())
    with pytest.raises(OfficeNotAllowed):
        payment_record(package=package, actor=clerk_a, kind="correction", tender=card(), amount="-1.00", reason="x")
    with pytest.raises(ShipmentError) as caught:
        payment_record(
            package=package, actor=manager_a, kind="correction", tender=card(), amount="-1.00", office=office_a
        )
    assert "reason" in caught.value.details
    row = payment_record(
        package=package,
        actor=manager_a,
        kind="correction",
        tender=card(),
        amount="-1.00",
        reason="Typed twice",
        office=office_a,
    )
    assert (row.amount, row.reason) == (Decimal("-1.00"), "Typed twice")
    assert payment_state(package).label.startswith("Part paid: 1.00 USD due")


def test_payments_are_append_only(register):
    payment = Payment.objects.get(package=register(card()))
    with pytest.raises(ValueError, match="record"):
        payment.save()
    with pytest.raises(ValueError, match="never deleted"):
        payment.delete()
    with pytest.raises(Exception, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE counter_payment SET amount = 0")


def test_another_offices_clerk_cannot_take_the_payment(register, clerk_b, office_a):
    CounterSettings.objects.create(
        office=office_a, unpaid_allowed=True, variance_limit=Decimal("5"), cod_limit=Decimal("100")
    )
    package = register(None)
    with pytest.raises(OfficeNotAllowed):
        payment_record(package=package, actor=clerk_b, kind="payment", tender=card(), office=office_a)
    with pytest.raises(OfficeNotAllowed):
        register(card(), actor=clerk_b)


@pytest.mark.django_db(transaction=True)
@override_settings(COUNTER_UNPAID_ALLOWED=True)
def test_two_payments_at_once_never_exceed_the_price(office_a, office_c, clerk_a, tariff):
    from counter.registration import register_at_counter
    from tests.factories import party

    from .conftest import parcel

    package = register_at_counter(
        actor=clerk_a, payment=None, parcel=parcel(office_a, office_c), sender=party(), receiver=party("Rita")
    )
    results = []
    barrier = threading.Barrier(2)

    def pay():
        barrier.wait()
        try:
            payment_record(package=package, actor=clerk_a, kind="payment", tender=card())
            results.append("paid")
        except ShipmentError as error:
            results.append(error.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=pay) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["overpaid", "paid"]
    assert payment_state(package).paid == package.cost_total


def test_the_package_page_and_the_receipt_say_how_it_was_paid(register, till_a, clerk_a):
    from django.urls import reverse

    from tests.helpers import login

    package = register(cash("50.00"))
    client = login(clerk_a)
    page = client.get(reverse("admin:shipments_package_change", args=[package.pk])).content.decode()
    assert '<span id="payment_state">Paid (cash)</span>' in page
    receipt = client.get(reverse("admin:shipments_package_receipt", args=[package.pk])).content.decode()
    assert "Paid (cash)" in receipt
    change = Decimal("50.00") - package.cost_total
    assert f"50.00 handed over, {change} change" in receipt
