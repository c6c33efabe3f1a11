"""detect_delays: a delayed (eta_passed) event per overdue package and ETA, once."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from notifications.delays import detect_delays, overdue_packages
from notifications.models import Notification
from shipments.models import TrackingEvent
from shipments.services import package_record_event
from tests.factories import party, register_package


@pytest.fixture
def overdue(office_a, office_c, tariff):
    """Accepted ten days ago with a three-day ETA, now in transit."""
    package = register_package(
        origin=office_a,
        destination=office_c,
        registered_at=timezone.now() - timedelta(days=10),
        accept=True,
        receiver=party("Rita", phone="+12125550143", notify_sms=True),
    )
    package_record_event(package=package, status="in_transit", occurred_at=timezone.now() - timedelta(days=9))
    return package


def eta_delays(package):
    return TrackingEvent.objects.filter(package=package, status="delayed", reason="eta_passed")


def test_an_overdue_package_is_delayed_once_and_notified(overdue, office_a, office_c):
    on_time = register_package(origin=office_a, destination=office_c, accept=True)
    assert detect_delays() == {"recorded": 1, "skipped": 0}
    assert eta_delays(overdue).count() == 1
    assert not eta_delays(on_time).exists()
    overdue.refresh_from_db()
    assert overdue.status == "delayed"
    assert Notification.objects.filter(package=overdue, status="delayed", channel="sms", recipient="receiver").exists()

    assert detect_delays()["recorded"] == 0  # idempotent
    # It moves on, still late: the same ETA is not reported twice.
    package_record_event(package=overdue, status="arrived", office=office_c)
    assert detect_delays()["recorded"] == 0
    assert eta_delays(overdue).count() == 1


def test_the_command_reports_and_its_dry_run_records_nothing(overdue):
    out = io.StringIO()
    call_command("detect_delays", "--dry-run", stdout=out)
    assert "dry run, rolled back: recorded 1" in out.getvalue()
    assert not eta_delays(overdue).exists()
    assert not Notification.objects.filter(package=overdue, status="delayed").exists()
    out = io.StringIO()
    call_command("detect_delays", stdout=out)
    call_command("detect_delays", stdout=out)
    assert out.getvalue().splitlines() == [
        "recorded 1, skipped 0 (changed meanwhile)",
        "recorded 0, skipped 0 (changed meanwhile)",
    ]


def test_the_query_reads_the_open_eta_index(overdue):
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        query, params = overdue_packages(timezone.now()).values("pk").query.sql_with_params()
        cursor.execute(f"EXPLAIN {query}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("SET enable_seqscan = on")
    # Either partial ETA index answers it on this small table (the planner picks
    # by cost); at a million rows the bench's detect_delays_ms_1m shows the plan.
    assert "package_eta_watch_idx" in plan or "package_open_eta_idx" in plan, plan
    assert "Seq Scan on shipments_package" not in plan, plan


def test_the_index_condition_lists_the_statuses_a_delay_may_follow():
    from notifications.delays import DELAYABLE

    assert DELAYABLE == ["accepted", "in_transit", "arrived", "out_for_delivery"]
