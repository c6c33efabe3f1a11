"""Delivery after a clerk's request: batched once per request, small, fast."""

import uuid

import pytest
from django.urls import reverse

from notifications.models import Notification
from notifications.services import REQUEST_DIRECT_LIMIT
from shipments.models import TrackingEvent
from tests.factories import party, register_package
from tests.helpers import login

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_scan_of_100_parcels_notifies_100_events_and_leaves_the_rest_to_the_dispatcher(
    aws, office_a, office_c, clerk_a, tariff, monkeypatch
):
    from notifications import services
    from notifications.services import dispatch_due

    # The request's time budget is not what this test is about: on a loaded machine it could
    # run out before the 100 topic messages went (seen at 60); the counts below are the limits'.
    monkeypatch.setattr(services, "REQUEST_BUDGET_SECONDS", 600.0)

    phone = f"+1646555{uuid.uuid4().int % 10000:04d}".replace("99", "98")
    packages = [
        register_package(
            origin=office_a, destination=office_c, actor=clerk_a, receiver=party("Rita", phone=phone, notify_sms=True)
        )
        for _ in range(100)
    ]
    aws.topic_messages()  # the 100 "created" messages

    response = login(clerk_a).post(
        reverse("admin:shipments_package_scan", args=["AAA01"]),
        {"tracking_numbers": "\n".join(package.tracking_number for package in packages), "status": "accepted"},
    )

    assert response.status_code == 200
    assert TrackingEvent.objects.filter(status="accepted", source="scan").count() == 100
    accepted = Notification.objects.filter(status="accepted")
    assert accepted.filter(channel="topic").count() == 100
    assert accepted.filter(channel="sms").count() == 100
    # The topic went out in the request (PublishBatch, 10 at a time); only a
    # few SMS did, the rest are due for the dispatcher, untried.
    assert accepted.filter(channel="topic", state="sent").count() == 100
    assert len(aws.sms_to(phone)) == REQUEST_DIRECT_LIMIT
    assert accepted.filter(channel="sms", state="pending", attempts=0).count() == 100 - REQUEST_DIRECT_LIMIT
    assert [m["body"]["status"] for m in aws.topic_messages()] == ["accepted"] * 100

    dispatch_due()
    assert len(aws.sms_to(phone)) == 100
    assert not accepted.exclude(state="sent").exists()


def test_aws_down_during_a_request_costs_one_failed_call_and_the_page_answers(aws, office_a, office_c, clerk_a, tariff):
    packages = [register_package(origin=office_a, destination=office_c, actor=clerk_a) for _ in range(30)]
    aws.down()
    response = login(clerk_a).post(
        reverse("admin:shipments_package_scan", args=["AAA01"]),
        {"tracking_numbers": "\n".join(package.tracking_number for package in packages), "status": "accepted"},
    )
    assert response.status_code == 200
    topic = Notification.objects.filter(status="accepted", channel="topic")
    assert topic.count() == 30
    # One PublishBatch failed (10 rows back off); the other 20 were released untried.
    assert topic.filter(attempts=1).exclude(last_error="").count() == 10
    assert topic.filter(attempts=0, last_error="").count() == 20
    assert not topic.filter(state="sent").exists()
