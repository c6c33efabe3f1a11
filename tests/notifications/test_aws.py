"""Delivery through SNS and SES (moto's server over HTTP): what reached AWS."""

import threading
import uuid

import pytest
from django.db import connections
from django.utils import timezone

from notifications.models import Notification
from notifications.services import dispatch_due
from shipments.services import package_record_event
from shipments.statuses import Status
from tests.factories import party, register_package

pytestmark = pytest.mark.django_db(transaction=True)


def unique_phone() -> str:
    return f"+1212555{uuid.uuid4().int % 10000:04d}"[:12].replace("99", "98")


def unique_email(name: str) -> str:
    return f"{name}-{uuid.uuid4().hex[:8]}@example.com"


def test_acceptance_reaches_sns_ses_and_the_topic_as_preferences_say(aws, office_a, office_c, clerk_a, tariff):
    sender_phone, receiver_phone = unique_phone(), unique_phone()
    sender_email, receiver_email = unique_email("sam"), unique_email("rita")
    package = register_package(
        origin=office_a,
        destination=office_c,
        actor=clerk_a,
        sender=party("Sam Sender", phone=sender_phone, email=sender_email, notify_email=True),
        receiver=party("Rita Receiver", phone=receiver_phone, email=receiver_email, notify_sms=True),
    )
    package_record_event(package=package, status=Status.ACCEPTED, office=office_a, actor=clerk_a)

    [sms] = aws.sms_to(receiver_phone)
    assert package.tracking_number in sms
    assert f"https://track.example.com/track/?number={package.tracking_number}" in sms
    assert len(sms) < 160
    [email] = aws.emails_to(sender_email)
    assert email["subject"] == f"Parcel {package.tracking_number} is on its way"
    assert "/notifications/unsubscribe/" in email["body"]
    assert aws.sms_to(sender_phone) == []
    assert aws.emails_to(receiver_email) == []

    messages = aws.topic_messages()
    assert [message["body"]["status"] for message in messages] == ["created", "accepted"]
    accepted = messages[1]
    assert accepted["attributes"] == {"event": "accepted", "origin_office": "AAA01", "destination_office": "CCC01"}
    assert accepted["body"]["tracking_number"] == package.tracking_number
    assert accepted["body"]["office"] == "AAA01"
    assert accepted["body"]["expected_delivery_at"] is not None
    assert "Sam" not in str(accepted["body"])
    assert sender_email not in str(accepted["body"])

    ids = set(Notification.objects.filter(status="accepted").values_list("state", "message_id"))
    assert {state for state, _ in ids} == {"sent"}
    assert all(message_id and not message_id.startswith("log-") for _, message_id in ids)


def test_a_rolled_back_event_reaches_nothing(aws, office_a, office_c, clerk_a, tariff):
    from django.db import transaction

    phone = unique_phone()
    package = register_package(
        origin=office_a, destination=office_c, actor=clerk_a, receiver=party("Rita", phone=phone, notify_sms=True)
    )
    aws.topic_messages()

    def accept_then_fail():
        with transaction.atomic():
            package_record_event(package=package, status=Status.ACCEPTED, office=office_a, actor=clerk_a)
            raise RuntimeError("later step failed")

    with pytest.raises(RuntimeError):
        accept_then_fail()
    assert aws.sms_to(phone) == []
    assert aws.topic_messages() == []


def test_a_number_sns_reports_opted_out_is_skipped_and_recorded(aws, office_a, office_c, clerk_a, tariff):
    opted_out = "+12125550199"  # moto: numbers ending in 99 opted out
    package = register_package(
        origin=office_a,
        destination=office_c,
        actor=clerk_a,
        receiver=party("Rita", phone=opted_out, notify_sms=True),
        accept=True,
    )
    row = Notification.objects.get(package=package, channel="sms")
    assert (row.state, row.last_error) == ("skipped", "The number opted out of SMS (SNS).")
    assert not any(package.tracking_number in sms for sms in aws.sms_to(opted_out))


def test_aws_down_while_200_events_commit_then_the_dispatcher_delivers_each_once(
    aws, office_a, office_c, clerk_a, tariff
):
    aws.down()
    phone = unique_phone()
    packages = [
        register_package(
            origin=office_a,
            destination=office_c,
            actor=clerk_a,
            accept=True,
            receiver=party("Rita", phone=phone, notify_sms=True),
        )
        for _ in range(100)
    ]
    assert Notification.objects.filter(state="pending").count() == 300
    assert Notification.objects.filter(attempts__gt=0).exclude(last_error="").exists()
    aws.up()
    # Time passes: the backoff is over.
    Notification.objects.update(next_attempt_at=timezone.now())
    dispatch_due()
    assert dispatch_due() == {"sent": 0, "skipped": 0, "errors": 0}

    messages = aws.topic_messages()
    assert len(messages) == 200
    keys = {(message["body"]["tracking_number"], message["body"]["status"]) for message in messages}
    assert keys == {(package.tracking_number, status) for package in packages for status in ("created", "accepted")}
    assert len(aws.sms_to(phone)) == 100
    assert set(Notification.objects.values_list("state", flat=True)) == {"sent"}


def test_two_dispatchers_at_once_send_nothing_twice(aws, office_a, office_c, tariff):
    aws.down()
    packages = [register_package(origin=office_a, destination=office_c) for _ in range(60)]
    aws.up()
    Notification.objects.update(next_attempt_at=timezone.now())
    results = []

    def dispatcher():
        try:
            results.append(dispatch_due(batch=10))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=dispatcher) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(result["sent"] for result in results) == 60
    numbers = [message["body"]["tracking_number"] for message in aws.topic_messages()]
    assert sorted(numbers) == sorted(package.tracking_number for package in packages)
