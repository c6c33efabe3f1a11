"""The day close of an office: totals per method, refunds, COD, variances,
parcels; a manager's, once every till is cashed up; nothing of the day changes after."""

from decimal import Decimal

import pytest
from django.utils import timezone

from counter.days import day_close, day_summary, network_summary, write_csv
from counter.models import DayClose
from counter.services import Conflict, Tender, office_day, payment_record
from counter.tills import till_close, till_open
from shipments.exceptions import OfficeNotAllowed, ShipmentError
from shipments.services import package_record_event

from .conftest import card, cash


@pytest.fixture
def busy_day(register, clerk_a, till_a):
    """Cash, card and prepaid parcels, one cancelled and refunded in cash, the till counted 0.20 short."""
    paid_cash = register(cash("50.00"))
    paid_card = register(card())
    prepaid = register(Tender(method="prepaid", reference="PP-9"))
    package_record_event(package=prepaid, status="cancelled", actor=clerk_a)
    refund = payment_record(
        package=prepaid, actor=clerk_a, kind="refund", tender=Tender(method="prepaid", reference="PP-9R")
    )
    expected = Decimal("100.00") + paid_cash.cost_total
    till_close(actor=clerk_a, till=till_a, counted=expected - Decimal("0.20"))
    return {"cash": paid_cash.cost_total, "card": paid_card.cost_total, "prepaid": prepaid.cost_total, "refund": refund}


def test_the_day_has_totals_per_method_refunds_variances_and_parcels(office_a, busy_day):
    summary = day_summary(office_a, office_day(office_a))
    assert summary.by_method == {"cash": busy_day["cash"], "card": busy_day["card"], "prepaid": Decimal("0.00")}
    assert summary.refunds == -busy_day["prepaid"]
    assert summary.payments == busy_day["cash"] + busy_day["card"] + busy_day["prepaid"]
    assert summary.variance == Decimal("-0.20")
    assert summary.parcels_registered == 3
    assert summary.payment_count == 4
    text = write_csv(summary)
    assert f"AAA01,{summary.day},method,cash,{busy_day['cash']}," in text
    assert f"AAA01,{summary.day},parcels_registered,,,3," in text


def test_a_manager_closes_the_day_and_nothing_of_it_changes_after(office_a, clerk_a, manager_a, busy_day, register):
    day = office_day(office_a)
    with pytest.raises(OfficeNotAllowed):
        day_close(actor=clerk_a, office=office_a, day=day)
    closed = day_close(actor=manager_a, office=office_a, day=day)
    assert closed.totals["variance"] == "-0.20"
    assert closed.totals["parcels_registered"] == 3
    with pytest.raises(Conflict, match="is closed"):
        register(card())
    with pytest.raises(Conflict, match="is closed"):
        till_open(actor=clerk_a, office=office_a, opening_float="10.00")
    with pytest.raises(Conflict, match="is closed"):
        day_close(actor=manager_a, office=office_a, day=day)
    assert DayClose.objects.count() == 1


def test_the_day_is_not_closed_while_a_till_is_open(office_a, manager_a, till_a):
    with pytest.raises(Conflict, match="clerk_a") as caught:
        day_close(actor=manager_a, office=office_a, day=office_day(office_a))
    assert caught.value.code == "tills_open"


def test_a_future_day_is_not_closed(office_a, manager_a):
    with pytest.raises(ShipmentError, match="not come yet"):
        day_close(actor=manager_a, office=office_a, day=office_day(office_a).replace(year=2999))


def test_hq_sees_the_network_day(office_a, busy_day):
    network = network_summary(timezone.now().date())
    assert [office.key for office in network.offices] == ["AAA01"]
    assert network.by_method["card"] == busy_day["card"]
    assert network.parcels_registered == 3


@pytest.mark.django_db(transaction=True)
def test_a_day_close_racing_a_payment_waits_for_it_and_counts_it(office_a, office_c, clerk_a, manager_a, tariff):
    """The payment holds the office's day (shared); the close takes it exclusively, so it waits and sees the payment."""
    import threading
    import time

    from django.db import connection, transaction

    from .conftest import counter_package

    package = counter_package(office_a, office_c, clerk_a)
    paying, outcome = threading.Event(), {}

    def pay():
        try:
            with transaction.atomic():
                payment_record(package=package, actor=clerk_a, kind="payment", tender=card())
                paying.set()
                time.sleep(0.5)  # the close must wait for this commit
            outcome["payment"] = "paid"
        finally:
            paying.set()
            connection.close()

    thread = threading.Thread(target=pay)
    thread.start()
    paying.wait()
    closed = day_close(actor=manager_a, office=office_a, day=office_day(office_a))
    thread.join()
    assert outcome["payment"] == "paid"
    assert closed.totals["by_method"]["card"] == str(package.cost_total)
    with pytest.raises(Conflict, match="is closed"):  # nothing of the day after its close
        till_open(actor=clerk_a, office=office_a, opening_float="1.00")


def test_a_bank_reference_with_a_nul_is_refused(register, cod_tariff, office_c, manager_a, hq):
    from counter.cod import remittance_pay

    from .conftest import cod_collected

    collected = cod_collected(manager_a.memberships.get().office, office_c, hq)
    with pytest.raises(ShipmentError) as caught:
        remittance_pay(actor=manager_a, payment=collected, bank_reference="BANK\x00")
    assert "bank_reference" in caught.value.details
