"""The outbox: rows written in the event's transaction, the log backend, the
dispatcher's claim (SKIP LOCKED) and backoff."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections, transaction
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from notifications.backends import DeliveryError, LogBackend
from notifications.models import Notification
from notifications.muting import muted
from notifications.services import MAX_ATTEMPTS, claim, dispatch_due, enqueue
from shipments.services import package_record_event
from shipments.statuses import Status
from tests.factories import party, register_package


@pytest.fixture
def package(office_a, office_c, clerk_a, tariff):
    return register_package(
        origin=office_a,
        destination=office_c,
        actor=clerk_a,
        sender=party("Sam Sender", phone="+12125550142", email="sam@example.com", notify_email=True),
        receiver=party("Rita Receiver", phone="+12125550143", email="rita@example.com", notify_sms=True),
    )


def rows(package):
    return sorted(
        (row.status, row.channel, row.recipient, row.address, row.state)
        for row in Notification.objects.filter(package=package)
    )


def test_created_goes_to_the_topic_only(package):
    assert rows(package) == [("created", "topic", "topic", "", "pending")]


def test_acceptance_writes_a_row_per_party_channel_asked_for_and_the_topic(package, office_a, clerk_a):
    package_record_event(package=package, status=Status.ACCEPTED, office=office_a, actor=clerk_a)
    accepted = [row for row in rows(package) if row[0] == "accepted"]
    assert accepted == [
        ("accepted", "email", "sender", "sam@example.com", "pending"),
        ("accepted", "sms", "receiver", "+12125550143", "pending"),
        ("accepted", "topic", "topic", "", "pending"),
    ]


def test_a_party_without_a_usable_number_gets_a_skipped_row_saying_why(office_a, office_c, tariff):
    package = register_package(
        origin=office_a, destination=office_c, accept=True, sender=party("No Phone", phone="", notify_email=True)
    )
    package.sender_notify_sms = True  # as an older row might say
    package.save(update_fields=["sender_notify_sms"])
    package_record_event(package=package, status=Status.IN_TRANSIT)
    package_record_event(package=package, status=Status.DELAYED, reason="weather")
    sms = Notification.objects.get(package=package, status="delayed", channel="sms", recipient="sender")
    assert (sms.state, sms.last_error) == ("skipped", "No usable phone number.")


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_event_writes_and_sends_nothing(package, office_a, clerk_a):
    def accept_then_fail():
        with transaction.atomic():
            package_record_event(package=package, status=Status.ACCEPTED, office=office_a, actor=clerk_a)
            raise RuntimeError("the clerk's request failed later")

    with pytest.raises(RuntimeError):
        accept_then_fail()
    assert not Notification.objects.filter(package=package, status="accepted").exists()


@pytest.mark.django_db(transaction=True)
def test_after_commit_the_log_backend_marks_rows_sent(package, office_a, clerk_a, caplog):
    package_record_event(package=package, status=Status.ACCEPTED, office=office_a, actor=clerk_a)
    states = {row.channel: (row.state, row.attempts) for row in Notification.objects.filter(status="accepted")}
    assert states == {"email": ("sent", 1), "sms": ("sent", 1), "topic": ("sent", 1)}
    assert f"Parcel {package.tracking_number} was accepted" in caplog.text


def test_fixture_loading_enqueues_nothing(package):
    from django.db.models.signals import post_save

    from shipments.models import TrackingEvent

    event = TrackingEvent.objects.filter(package=package).first()
    before = Notification.objects.count()
    post_save.send(sender=TrackingEvent, instance=event, created=True, raw=True)
    assert Notification.objects.count() == before


def test_the_dispatcher_delivers_what_is_due_with_the_log_backend(package):
    later = Notification.objects.create(
        package=package,
        event=package.events.first(),
        status="created",
        channel="topic",
        recipient="topic",
        next_attempt_at=timezone.now() + timedelta(hours=1),
    )
    assert dispatch_due(backend=LogBackend()) == {"sent": 1, "skipped": 0, "errors": 0}
    assert Notification.objects.get(channel="topic", status="created", pk__lt=later.pk).state == "sent"
    later.refresh_from_db()
    assert later.state == "pending"
    assert dispatch_due(backend=LogBackend()) == {"sent": 0, "skipped": 0, "errors": 0}


class Down(LogBackend):
    """A backend whose every call fails, as AWS does now and then."""

    def publish_topic(self, entries):
        raise DeliveryError("PublishBatch: endpoint down")


def test_a_failure_backs_off_then_fails_after_the_last_attempt(package):
    row = Notification.objects.get(package=package)
    for attempt in range(1, MAX_ATTEMPTS + 1):
        started = timezone.now()
        assert dispatch_due(backend=Down())["errors"] == 1
        row.refresh_from_db()
        assert (row.attempts, row.last_error) == (attempt, "PublishBatch: endpoint down")
        if attempt < MAX_ATTEMPTS:
            assert row.state == "pending"
            assert row.next_attempt_at > started  # backed off
            Notification.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
    assert row.state == "failed"
    assert dispatch_due(backend=Down())["errors"] == 0


@pytest.mark.django_db(transaction=True)
def test_a_row_locked_by_another_dispatcher_is_skipped_not_waited_for(package):
    row = Notification.objects.get(package=package)
    Notification.objects.filter(pk=row.pk).update(state="pending", next_attempt_at=timezone.now())
    locked, release = threading.Event(), threading.Event()

    def other_dispatcher():
        try:
            with transaction.atomic():
                Notification.objects.select_for_update().get(pk=row.pk)
                locked.set()
                release.wait(10)
        finally:
            connections.close_all()

    thread = threading.Thread(target=other_dispatcher)
    thread.start()
    try:
        assert locked.wait(10)
        assert claim(Notification.objects.all(), limit=10) == []
    finally:
        release.set()
        thread.join()
    assert [claimed.pk for claimed in claim(Notification.objects.all(), limit=10)] == [row.pk]
    assert not connection.in_atomic_block


def test_an_event_costs_the_outbox_one_insert_and_no_reads(package, office_a, office_c, clerk_a, tariff):
    """The receiver runs in every event's transaction: it reads nothing (the
    event carries its package) and writes all the event's rows in one statement;
    the partner webhooks' messages are one more (an INSERT ... SELECT over the
    active subscriptions, webhooks.delivery.enqueue)."""
    quiet = register_package(origin=office_a, destination=office_c, actor=clerk_a, sender=party("Quinn Quiet"))
    with muted(), CaptureQueriesContext(connection) as plain:
        package_record_event(package=quiet, status=Status.ACCEPTED, office=office_a, actor=clerk_a)
    with CaptureQueriesContext(connection) as outbox:
        package_record_event(package=package, status=Status.ACCEPTED, office=office_a, actor=clerk_a)
    added = len(outbox.captured_queries) - len(plain.captured_queries)
    inserts = [query["sql"] for query in outbox.captured_queries if "notifications_notification" in query["sql"]]
    assert added == 2
    assert len(inserts) == 1
    assert [query["sql"] for query in outbox.captured_queries if "webhooks_message" in query["sql"]]
    assert inserts[0].startswith('INSERT INTO "notifications_notification"')
    assert Notification.objects.filter(package=package, status="accepted").count() == 3


def test_enqueued_rows_read_back_exactly_as_written(package, office_a, clerk_a):
    """One INSERT for all of an event's rows: each row gets its own id back and
    every field (text, numbers, times with their zone, empty ones) round-trips."""
    event = package_record_event(package=package, status=Status.ACCEPTED, office=office_a, actor=clerk_a)
    written = enqueue([event, event], deliver=False)
    stored = Notification.objects.filter(pk__in=[row.pk for row in written]).order_by("id")
    assert [model_to_dict(row) for row in written] == [model_to_dict(row) for row in stored]
    assert [(row.channel, row.recipient) for row in stored] == [
        ("email", "sender"),
        ("sms", "receiver"),
        ("topic", "topic"),
    ] * 2
    first = stored[0]
    assert (first.package, first.event, first.address, first.attempts, first.sent_at) == (
        package,
        event,
        "sam@example.com",
        0,
        None,
    )
    assert first.next_attempt_at.utcoffset() == timedelta(0)
    assert abs(first.next_attempt_at - timezone.now()) < timedelta(minutes=1)


def test_enqueue_without_delivery_is_for_bulk_paths(package):
    event = package.events.first()
    written = enqueue([event], deliver=False)
    assert [row.channel for row in written] == ["topic"]


def test_no_aws_client_is_made_at_start_up():
    """Every Lambda cold start would pay for it: clients are made on first use."""
    import subprocess
    import sys
    from pathlib import Path

    script = (
        "import sys, django; django.setup(); from django.urls import resolve; resolve('/admin/'); "
        "import notifications.services, notifications.delays, notifications.admin; "
        "print('boto3' in sys.modules, 'botocore' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.stdout.split() == ["False", "False"], result.stderr
