"""The way back to the sender: how a return starts (holding period, refusal,
third failed delivery, a clerk's decision), the leg back to the origin, the
return fee, the sender's messages and the holding job."""

import io
from datetime import timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from notifications.messages import email_parts, sms_text
from notifications.models import Notification
from shipments.exceptions import IllegalTransition, ShipmentError
from shipments.models import Charge, TrackingEvent
from shipments.returns import expire_holdings, holdings_expired, holdings_to_remind, package_return_start
from shipments.services import package_record_event
from tests.factories import party, register_package

pytestmark = pytest.mark.django_db


def _step(package, status, office=None, *, at, **details):
    return package_record_event(package=package, status=status, office=office, occurred_at=at, **details)


@pytest.fixture
def waiting(office_a, office_c, tariff):
    """A to C, ready for pickup at C since ``days`` days ago (C holds parcels 14 days)."""

    def make(days: float):
        start = timezone.now() - timedelta(days=days, hours=5)
        package = register_package(
            origin=office_a,
            destination=office_c,
            registered_at=start,
            accept=True,
            sender=party("Sam Sender", phone="+12125550142", notify_sms=True),
            receiver=party("Rita Receiver", phone="+12125550143", notify_sms=True),
        )
        _step(package, "in_transit", at=start + timedelta(hours=1))
        _step(package, "arrived", office_c, at=start + timedelta(hours=2))
        _step(package, "ready_for_pickup", office_c, at=start + timedelta(hours=5))
        return package

    return make


def sms_to(package, recipient, status):
    return Notification.objects.filter(package=package, channel="sms", recipient=recipient, status=status)


def test_ready_for_pickup_sets_the_end_of_the_holding_period_from_the_office(waiting, office_c):
    office_c.holding_days = 10
    office_c.save()
    package = waiting(1)
    ready = package.events.get(status="ready_for_pickup")
    assert package.holding_until == ready.occurred_at + timedelta(days=10)
    assert package.holding_reminded_at is None


def test_the_holding_job_reminds_once_then_returns_once(waiting, office_c):
    soon, due, fresh = waiting(12), waiting(15), waiting(1)

    assert expire_holdings() == {"reminded": 1, "returned": 1, "skipped": 0}
    # Idempotent: a second run finds nothing, sends nothing more.
    assert expire_holdings() == {"reminded": 0, "returned": 0, "skipped": 0}

    reminder = sms_to(soon, "receiver", "ready_for_pickup").filter(message="holding_reminder")
    assert reminder.count() == 1
    assert not sms_to(soon, "sender", "ready_for_pickup").filter(message="holding_reminder").exists()
    assert not Notification.objects.filter(package=fresh, message="holding_reminder").exists()
    soon.refresh_from_db()
    assert soon.status == "ready_for_pickup"
    assert soon.holding_reminded_at is not None

    due.refresh_from_db()
    assert due.status == "return_started"
    assert due.returning is True
    assert due.holding_until is None
    started = due.events.get(status="return_started")
    assert (started.reason, started.source, started.office) == ("holding_expired", "system", office_c)
    # The sender hears of it; the receiver does not.
    assert sms_to(due, "sender", "return_started").count() == 1
    assert not sms_to(due, "receiver", "return_started").exists()


def test_the_reminder_says_until_when_in_the_office_zone(waiting, office_c):
    office_c.time_zone = "Asia/Tokyo"
    office_c.save()
    package = waiting(12)
    expire_holdings()
    row = Notification.objects.get(package=package, channel="sms", message="holding_reminder")
    local_day = package.holding_until.astimezone(ZoneInfo("Asia/Tokyo")).day
    text = sms_text(row.event, "receiver", row.message)
    assert "waits for you at Office C until" in text
    assert f" {local_day}, " in text
    subject, plain, html = email_parts(row.event, "receiver", row.message)
    assert subject.startswith(f"Parcel {package.tracking_number} waits for you until")
    assert "goes back to the sender" in plain
    assert "goes back to the sender" in html


def test_the_command_and_its_dry_run(waiting):
    package = waiting(15)
    out = io.StringIO()
    call_command("expire_holdings", "--dry-run", stdout=out)
    assert out.getvalue().strip() == "dry run, rolled back: reminded 0, returned 1, skipped 0 (changed meanwhile)"
    package.refresh_from_db()
    assert package.status == "ready_for_pickup"
    assert not Notification.objects.filter(package=package, status="return_started").exists()
    call_command("expire_holdings", stdout=out)
    call_command("expire_holdings", stdout=out)
    assert out.getvalue().splitlines()[1:] == [
        "reminded 0, returned 1, skipped 0 (changed meanwhile)",
        "reminded 0, returned 0, skipped 0 (changed meanwhile)",
    ]


def test_a_return_travels_back_to_the_origin_and_is_handed_to_the_sender(waiting, office_a, office_b, office_c):
    package = waiting(15)
    expire_holdings()
    package.refresh_from_db()

    # The way back takes no delivery to the receiver.
    for status in ("delivered", "out_for_delivery"):
        with pytest.raises(IllegalTransition):
            package_record_event(package=package, status=status, received_by="Rita")
    # Handed back only at the origin, where the parcel is not yet.
    with pytest.raises(ShipmentError, match="handed back to its sender at its origin"):
        package_record_event(package=package, status="returned", office=office_c)

    package_record_event(package=package, status="in_transit")
    package_record_event(package=package, status="arrived", office=office_b)  # a hub on the way
    package_record_event(package=package, status="in_transit")
    package_record_event(package=package, status="arrived", office=office_a)
    with pytest.raises(ShipmentError, match="waits for its sender only at its origin"):
        package_record_event(package=package, status="ready_for_pickup", office=office_c)
    package_record_event(package=package, status="ready_for_pickup", office=office_a)
    package.refresh_from_db()
    assert package.holding_until is None  # a returning parcel waits for its sender without an end
    package_record_event(package=package, status="returned", office=office_a, received_by="Sam Sender")

    package.refresh_from_db()
    assert (package.status, package.current_office, package.returning) == ("returned", office_a, True)
    assert list(package.events.values_list("status", flat=True))[-7:] == [
        "return_started",
        "in_transit",
        "arrived",
        "in_transit",
        "arrived",
        "ready_for_pickup",
        "returned",
    ]
    # The sender heard when it started, when it was back and waiting, and when handed back; the receiver not.
    assert sms_to(package, "sender", "returned").count() == 1
    back = sms_to(package, "sender", "arrived").filter(
        event__occurred_at__gt=package.events.get(status="return_started").occurred_at
    )
    assert [row.event.office for row in back] == [office_a]  # at the origin only, not at the hub
    assert not Notification.objects.filter(package=package, recipient="receiver", status__in=["returned"]).exists()
    assert not Notification.objects.filter(package=package, recipient="receiver", event__in=[row.event for row in back])


def test_the_return_fee_is_a_charge_of_its_own(waiting, tariff):
    tariff.return_fee = Decimal("7.25")
    tariff.save()
    package = waiting(15)
    expire_holdings()
    charge = Charge.objects.get(package=package, kind="return")
    assert (charge.total, charge.base, charge.tax, charge.currency) == (Decimal("7.25"), Decimal("7.25"), 0, "USD")
    assert charge.office_id == package.origin_office_id
    assert Charge.objects.filter(package=package).count() == 2  # shipping, return
    with pytest.raises(ValueError, match="immutable"):
        charge.save()


def test_no_return_charge_without_a_fee(waiting, tariff):
    tariff.return_fee = Decimal("0")
    tariff.save()
    package = waiting(15)
    expire_holdings()
    assert not Charge.objects.filter(package=package, kind="return").exists()


def _out(package, office, at):
    _step(package, "out_for_delivery", office, at=at)


@pytest.fixture
def at_destination(office_a, office_c, tariff):
    start = timezone.now() - timedelta(days=3)
    package = register_package(origin=office_a, destination=office_c, registered_at=start, accept=True)
    _step(package, "in_transit", at=start + timedelta(hours=1))
    _step(package, "arrived", office_c, at=start + timedelta(hours=2))
    return package, start + timedelta(hours=2)


def test_a_refusal_starts_the_return(at_destination, office_c):
    package, at = at_destination
    _out(package, office_c, at + timedelta(hours=1))
    _step(package, "delivery_failed", reason="refused", at=at + timedelta(hours=2))
    package.refresh_from_db()
    assert (package.status, package.returning) == ("return_started", True)
    started = package.events.get(status="return_started")
    assert (started.reason, started.source, started.office) == ("refused", "system", office_c)
    assert Charge.objects.filter(package=package, kind="return").count() == 1


def test_the_third_failed_delivery_starts_the_return(at_destination, office_c):
    package, at = at_destination
    for attempt in range(1, 4):
        _out(package, office_c, at + timedelta(hours=2 * attempt))
        _step(package, "delivery_failed", reason="receiver_absent", at=at + timedelta(hours=2 * attempt + 1))
        package.refresh_from_db()
        assert package.returning is (attempt == 3)
    assert package.status == "return_started"
    assert package.events.get(status="return_started").reason == "delivery_attempts"


def test_a_clerk_decides_a_return_with_a_reason(at_destination, office_c, clerk_a):
    package, _ = at_destination
    from tests.factories import clerk_at

    clerk_c = clerk_at(office_c, username="clerk_c")
    with pytest.raises(ShipmentError) as missing:
        package_return_start(package=package, actor=clerk_c, reason="")
    assert missing.value.details == {"reason": "Required for this status."}
    with pytest.raises(ShipmentError):  # not where the parcel is
        package_return_start(package=package, actor=clerk_a, reason="address_issue")
    event = package_return_start(package=package, actor=clerk_c, reason="address_issue", note="No such street.")
    assert (event.status, event.reason, event.recorded_by, event.office) == (
        "return_started",
        "address_issue",
        clerk_c,
        office_c,
    )
    with pytest.raises(IllegalTransition):  # once
        package_return_start(package=package, actor=clerk_c, reason="other")
    assert TrackingEvent.objects.filter(package=package, status="return_started").count() == 1


def _plan(queryset) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        query, params = queryset.values("pk").query.sql_with_params()
        cursor.execute(f"EXPLAIN {query}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("SET enable_seqscan = on")
    return plan


def test_the_job_reads_its_partial_indexes(waiting):
    waiting(12)
    now = timezone.now()
    expired = _plan(holdings_expired(now))
    assert "package_holding_idx" in expired, expired
    remind = _plan(holdings_to_remind(now))
    assert "package_holding_remind_idx" in remind, remind
    for plan in (expired, remind):
        assert "Seq Scan on shipments_package" not in plan, plan
