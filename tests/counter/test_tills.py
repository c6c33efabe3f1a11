"""Each clerk's till: opened with a float, cash goes in and out, the cash-up
compares counted with expected; a closed till takes nothing more."""

import threading
import time
from decimal import Decimal

import pytest
from django.db import connection, transaction

from counter.models import CounterSettings, Payment, Till
from counter.services import Conflict, Tender, payment_record
from counter.tills import till_close, till_expected, till_open
from shipments.exceptions import OfficeNotAllowed, ShipmentError
from shipments.services import package_record_event
from tests.factories import clerk_at

from .conftest import card, cash


def test_a_clerk_has_one_open_till(clerk_a, office_a, office_b, till_a):
    with pytest.raises(Conflict, match="till open at AAA01 already") as caught:
        till_open(actor=clerk_a, office=office_a, opening_float="50.00")
    assert caught.value.http_status == 409
    with pytest.raises(OfficeNotAllowed):
        till_open(actor=clerk_a, office=office_b, opening_float="50.00")


@pytest.mark.parametrize("value", ["-1", "NaN", "1e30", "1.001", "ten"])
def test_a_malformed_float_names_the_field(clerk_a, office_a, value):
    with pytest.raises(ShipmentError) as caught:
        till_open(actor=clerk_a, office=office_a, opening_float=value)
    assert "float" in caught.value.details


def test_the_cash_up_shows_expected_counted_and_variance(register, clerk_a, till_a):
    paid = register(cash("50.00"))  # cash in: the price
    register(card())  # not cash: not in the drawer
    refunded = register(cash("100.00"))
    package_record_event(package=refunded, status="cancelled", actor=clerk_a)
    payment_record(package=refunded, actor=clerk_a, kind="refund", tender=Tender(method="cash"))
    expected = Decimal("100.00") + paid.cost_total
    assert till_expected(till_a) == expected
    closed = till_close(actor=clerk_a, till=till_a, counted=expected - Decimal("0.50"))
    assert (closed.expected, closed.counted, closed.variance) == (
        expected,
        expected - Decimal("0.50"),
        Decimal("-0.50"),
    )
    with pytest.raises(Conflict, match="Open a till"):
        register(cash())
    with pytest.raises(Conflict, match="closed already"):
        till_close(actor=clerk_a, till=till_a, counted="0")


def test_the_count_by_denomination_adds_up(clerk_a, till_a):
    closed = till_close(actor=clerk_a, till=till_a, denominations={"50.00": 1, "20.00": 2, "5.00": 2})
    assert closed.counted == Decimal("100.00")
    assert closed.denominations == {"50.00": 1, "20.00": 2, "5.00": 2}


def test_a_count_that_disagrees_with_its_denominations_is_refused(clerk_a, till_a):
    with pytest.raises(ShipmentError) as caught:
        till_close(actor=clerk_a, till=till_a, counted="90.00", denominations={"50.00": 2})
    assert caught.value.details == {"counted": "The denominations add up to 100.00."}


def test_a_variance_over_the_limit_needs_a_managers_note(clerk_a, manager_a, office_a, till_a):
    CounterSettings.objects.create(
        office=office_a, unpaid_allowed=False, variance_limit=Decimal("2.00"), cod_limit=Decimal("100")
    )
    with pytest.raises(ShipmentError) as caught:
        till_close(actor=clerk_a, till=till_a, counted="90.00")
    assert caught.value.code == "note_required"
    with pytest.raises(ShipmentError, match="a manager closes this till"):
        till_close(actor=clerk_a, till=till_a, counted="90.00", note="I think I miscounted")
    closed = till_close(actor=manager_a, till=till_a, counted="90.00", note="A 10 note was given as change twice")
    assert closed.variance == Decimal("-10.00")
    assert closed.closed_by == manager_a


def test_another_clerk_cannot_cash_up_my_till(office_a, till_a):
    other = clerk_at(office_a, username="other_clerk")
    with pytest.raises(OfficeNotAllowed):
        till_close(actor=other, till=till_a, counted="100.00")


@pytest.mark.django_db(transaction=True)
def test_a_close_racing_a_payment_sees_it_or_refuses_it(office_a, office_c, clerk_a, tariff, settings):
    """The close locks the till row: a payment under way is waited for and counted; one after is refused."""
    from .conftest import counter_package

    till = till_open(actor=clerk_a, office=office_a, opening_float="0.00")
    package = counter_package(office_a, office_c, clerk_a)
    paying = threading.Event()
    outcome = {}

    def pay():
        try:
            with transaction.atomic():
                payment_record(package=package, actor=clerk_a, kind="payment", tender=cash("100.00"))
                paying.set()
                time.sleep(0.5)  # the close must wait for this commit
            outcome["payment"] = "paid"
        except ShipmentError as error:
            outcome["payment"] = error.code
        finally:
            paying.set()
            connection.close()

    thread = threading.Thread(target=pay)
    thread.start()
    paying.wait()
    closed = till_close(actor=clerk_a, till=Till.objects.get(pk=till.pk), counted=package.cost_total)
    thread.join()
    assert outcome["payment"] == "paid"
    assert (closed.expected, closed.variance) == (package.cost_total, 0)  # the close saw the payment
    assert Payment.objects.filter(till=till).count() == 1


def _waiting_on_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")  # the statistics are otherwise read once per transaction
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0] > 0


@pytest.mark.django_db(transaction=True)
def test_a_cash_payment_racing_a_close_that_locked_first_is_refused(office_a, office_c, clerk_a, tariff):
    """The close holds the till; the payment waits for it and then finds no open till: refused, nothing recorded."""
    from .conftest import counter_package

    till = till_open(actor=clerk_a, office=office_a, opening_float="0.00")
    package = counter_package(office_a, office_c, clerk_a)
    outcome = {}

    def pay():
        try:
            payment_record(package=package, actor=clerk_a, kind="payment", tender=cash("100.00"))
            outcome["payment"] = "paid"
        except ShipmentError as error:
            outcome["payment"] = error.code
        finally:
            connection.close()

    with transaction.atomic():
        closed = till_close(actor=clerk_a, till=Till.objects.get(pk=till.pk), counted="0.00")
        thread = threading.Thread(target=pay)
        thread.start()
        while not _waiting_on_a_lock() and thread.is_alive():
            time.sleep(0.01)
    thread.join()
    assert outcome["payment"] == "no_open_till"
    assert (closed.expected, closed.variance) == (Decimal("0.00"), 0)
    assert not Payment.objects.filter(package=package).exists()
