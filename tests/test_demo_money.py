"""The demo's money (demo/money.py, demo/bags.py): what a manager, HQ and a
clerk find after `seed_demo`, and a rerun that adds nothing."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from counter.models import DayClose, Method, PackageAccount, Payment, Till
from counter.services import Tender, office_day, payment_record
from offices.models import Office
from shipments.statuses import Status
from tests.helpers import login

User = get_user_model()


@pytest.fixture
def seeded(db):
    call_command("seed_demo", stdout=io.StringIO())


def test_the_demo_parcels_are_paid_in_every_way_and_a_rerun_adds_no_payment(seeded):
    methods = set(Payment.objects.filter(kind=Payment.Kind.PAYMENT).values_list("method", flat=True))
    assert methods == set(Method.values)
    cash = Payment.objects.filter(kind=Payment.Kind.PAYMENT, method=Method.CASH, change__gt=0).first()
    assert cash.till is not None
    assert cash.tendered == cash.amount + cash.change
    card = Payment.objects.filter(method=Method.CARD).first()
    assert len(card.card_last4) == 4
    assert card.reference
    assert Payment.objects.filter(kind=Payment.Kind.REFUND, package__status=Status.CANCELLED).exists()
    # Every parcel the demo registered at a counter owes nothing (generated ones have no account).
    for account in PackageAccount.objects.all()[:50]:
        assert sum(p.amount for p in account.package.payments.exclude(kind=Payment.Kind.COD)) in (0, account.due)
    counts = (Payment.objects.count(), Till.objects.count(), DayClose.objects.count(), PackageAccount.objects.count())
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert out.getvalue() == ""
    assert counts == (
        Payment.objects.count(),
        Till.objects.count(),
        DayClose.objects.count(),
        PackageAccount.objects.count(),
    )


def test_a_seeded_past_day_shows_its_closed_totals_and_today_is_left_open(seeded):
    nyc = Office.objects.get(code="NYC01")
    short = Till.objects.get(office=nyc, variance__lt=0)  # the one till that came out short
    page = login(User.objects.get(username="manager.nyc01"))
    day = page.get(reverse("admin:counter_till_day", args=["NYC01", short.day.isoformat()])).content.decode()
    closed = DayClose.objects.get(office=nyc, day=short.day)
    assert 'id="day_state">Closed' in day
    assert "by manager.nyc01" in day
    assert f'id="day_total">{closed.totals["total"]} USD<' in day
    assert closed.totals["total"] != "0.00"
    assert 'id="day_variance">-0.50 USD<' in day
    assert "Close the day" not in day
    # HQ's network day of that day: NYC01 among the offices, closed.
    hq = login(User.objects.get(username="hq"))
    network = hq.get(reverse("admin:counter_till_network", args=[short.day.isoformat()])).content.decode()
    assert ">NYC01</a>" in network
    # Today: paid parcels (the bags'), no till open, not closed; the manager closes it in the walk-through.
    today = page.get(reverse("admin:counter_till_day", args=["NYC01", office_day(nyc).isoformat()])).content.decode()
    assert 'id="day_state">Open<' in today
    assert "Close the day" in today
    assert not DayClose.objects.filter(day__gte=office_day(nyc)).exists()
    assert not Till.objects.filter(closed_at__isnull=True).exists()


def test_a_clerk_at_nyc01_opens_a_till_and_collects_the_demos_cod_parcel(seeded):
    clerk = User.objects.get(username="clerk.nyc01")
    assert not Till.objects.filter(clerk=clerk, closed_at__isnull=True).exists()
    client = login(clerk)
    cashup = reverse("admin:counter_till_cashup")
    nyc = Office.objects.get(code="NYC01")
    response = client.post(cashup, {"_open": "1", "office": nyc.pk, "opening_float": "100.00"}, follow=True)
    assert "Till open at NYC01" in response.content.decode()
    account = PackageAccount.objects.get(cod_amount__gt=0, package__destination_office=nyc)
    package = account.package
    assert package.status == Status.OUT_FOR_DELIVERY
    assert package.current_office_id == nyc.pk
    page = client.get(reverse("admin:shipments_package_change", args=[package.pk])).content.decode()
    assert "60.00 USD" in page
    cod = payment_record(
        package=package, actor=clerk, kind=Payment.Kind.COD, tender=Tender(Method.CASH, amount_tendered="60.00")
    )
    assert cod.till.office == nyc


def test_the_demos_delivered_cod_parcel_waits_to_be_paid_out_to_its_sender(seeded):
    collected = Payment.objects.get(kind=Payment.Kind.COD)
    assert collected.package.status == Status.DELIVERED
    assert collected.package.origin_office.code == "NYC01"
    page = login(User.objects.get(username="manager.nyc01")).get(reverse("admin:counter_till_remittances"))
    assert collected.package.tracking_number in page.content.decode()
    assert "85.00 USD" in page.content.decode()
