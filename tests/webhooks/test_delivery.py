"""Signed events reach a partner's endpoint (a real HTTP server): verifiable
with the Standard Webhooks library, in event order per package, once per
webhook-id despite failures, on the spec's schedule; 410 and five failing days
turn a subscription off; Retry-After slows it down."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from shipments.services import package_record_event
from tests.factories import register_package
from webhooks.delivery import dispatch_due
from webhooks.models import Attempt, Message, Subscription
from webhooks.rules import RETRY_DELAYS
from webhooks.services import subscription_create, subscription_rotate_secret

from .conftest import time_passes

pytestmark = pytest.mark.django_db(transaction=True)


def journey(package, origin, destination):
    for status, office in (("accepted", origin), ("in_transit", origin), ("arrived", destination)):
        package_record_event(package=package, status=status, office=office)


def verified(receiver, secret) -> list[dict]:
    """Every request the receiver got, checked as a receiver checks it."""
    return [Webhook(secret).verify(request.body, request.headers) for request in receiver.requests]


def test_a_partner_receives_signed_events_in_order_once_per_id_despite_a_500_and_a_timeout(
    receiver, dns, office_a, office_b, office_c, tariff
):
    subscription = subscription_create(url=receiver.url, origin_offices=[office_a], description="Shop A")
    ours = register_package(origin=office_a, destination=office_c)
    theirs = register_package(origin=office_b, destination=office_c)  # not from an office subscribed to
    journey(ours, office_a, office_c)
    journey(theirs, office_b, office_c)
    # The first request gets a 500, the second no answer in time (it answers after the timeout).
    receiver.script = [(500, 0, {}), (200, 1.0, {})]

    for _ in range(6):
        dispatch_due()
        time_passes()

    bodies = verified(receiver, subscription.secret)
    # Deduplicated on webhook-id, as a receiver does: each event once, in event order.
    seen: dict[str, dict] = {}
    for request, body in zip(receiver.requests, bodies, strict=True):
        seen.setdefault(request.headers["webhook-id"], body)
        assert seen[request.headers["webhook-id"]] == body  # a retry is the same message
    assert [(body["data"]["tracking_number"], body["data"]["status"]) for body in seen.values()] == [
        (ours.tracking_number, "created"),
        (ours.tracking_number, "accepted"),
        (ours.tracking_number, "in_transit"),
        (ours.tracking_number, "arrived"),
    ]
    # The 500 and the timeout were retried: more requests than messages.
    assert len(receiver.requests) == 6
    accepted = next(body for body in seen.values() if body["data"]["status"] == "accepted")
    assert accepted["type"] == "package.accepted"
    assert accepted["data"]["origin_office"] == "AAA01"
    assert accepted["data"]["destination_office"] == "CCC01"
    assert accepted["data"]["expected_delivery_at"] is not None
    assert accepted["data"]["returning"] is False
    # No personal data.
    raw = b" ".join(request.body for request in receiver.requests).decode()
    assert ours.sender_name not in raw
    assert ours.receiver_name not in raw
    # Every attempt is logged.
    log = list(Attempt.objects.filter(subscription=subscription).order_by("id"))
    assert [attempt.status_code for attempt in log[:2]] == [500, None]
    assert log[0].response == "answer 500"
    assert log[1].error == "No answer within the timeout."
    assert all(attempt.status_code == 200 for attempt in log[2:])
    assert Message.objects.filter(subscription=subscription, state="sent").count() == 4


def test_receivers_reject_a_tampered_body_an_old_timestamp_and_another_secret(
    receiver, dns, office_a, office_c, tariff
):
    subscription = subscription_create(url=receiver.url)
    register_package(origin=office_a, destination=office_c)
    dispatch_due()
    [request] = receiver.requests
    assert Webhook(subscription.secret).verify(request.body, request.headers)["type"] == "package.created"
    with pytest.raises(WebhookVerificationError):
        Webhook(subscription.secret).verify(request.body.replace(b"created", b"delivered"), request.headers)
    old = request.headers | {"webhook-timestamp": str(int(request.headers["webhook-timestamp"]) - 600)}
    with pytest.raises(WebhookVerificationError):
        Webhook(subscription.secret).verify(request.body, old)
    other = subscription_create(url=receiver.url)
    with pytest.raises(WebhookVerificationError):
        Webhook(other.secret).verify(request.body, request.headers)


def test_during_a_rotation_both_secrets_sign(receiver, dns, office_a, office_c, tariff):
    subscription = subscription_create(url=receiver.url)
    old_secret = subscription.secret
    new_secret = subscription_rotate_secret(subscription=subscription)
    assert new_secret != old_secret
    assert new_secret.startswith("whsec_")
    register_package(origin=office_a, destination=office_c)
    dispatch_due()
    [request] = receiver.requests
    assert len(request.headers["webhook-signature"].split(" ")) == 2
    for secret in (old_secret, new_secret):
        assert Webhook(secret).verify(request.body, request.headers)["type"] == "package.created"
    # After the overlap, only the new one.
    Subscription.objects.filter(pk=subscription.pk).update(previous_secret_until=timezone.now())
    register_package(origin=office_a, destination=office_c)
    dispatch_due()
    latest = receiver.requests[-1]
    assert len(latest.headers["webhook-signature"].split(" ")) == 1
    with pytest.raises(WebhookVerificationError):
        Webhook(old_secret).verify(latest.body, latest.headers)


def test_only_the_events_asked_for(receiver, dns, office_a, office_c, tariff):
    subscription_create(url=receiver.url, events=["accepted"])
    package = register_package(origin=office_a, destination=office_c)
    package_record_event(package=package, status="accepted", office=office_a)
    dispatch_due()
    assert [json.loads(request.body)["type"] for request in receiver.requests] == ["package.accepted"]


def test_the_retry_schedule_then_failed(receiver, dns, office_a, office_c, tariff):
    subscription_create(url=receiver.url)
    register_package(origin=office_a, destination=office_c)
    receiver.script = [(500, 0, {})] * 20
    waits = []
    for _ in range(len(RETRY_DELAYS) + 1):
        before = timezone.now()
        dispatch_due()
        message = Message.objects.get()
        if message.state == "pending":
            waits.append(round((message.next_attempt_at - before).total_seconds()))
        time_passes()
    assert waits == [round(delay.total_seconds()) for delay in RETRY_DELAYS]
    message = Message.objects.get()
    assert message.state == "failed"
    assert message.attempts == len(RETRY_DELAYS) + 1
    assert len(receiver.requests) == len(RETRY_DELAYS) + 1


def test_410_turns_the_subscription_off(receiver, dns, office_a, office_c, tariff):
    subscription = subscription_create(url=receiver.url)
    package = register_package(origin=office_a, destination=office_c)
    package_record_event(package=package, status="accepted", office=office_a)
    receiver.script = [(410, 0, {})]
    dispatch_due()
    subscription.refresh_from_db()
    assert not subscription.active
    assert "410" in subscription.disabled_reason
    assert set(Message.objects.values_list("state", flat=True)) == {"failed"}
    register_package(origin=office_a, destination=office_c)
    time_passes()
    dispatch_due()
    assert len(receiver.requests) == 1
    assert Message.objects.count() == 2  # nothing new for a subscription that is off


def test_retry_after_slows_the_subscription_down(receiver, dns, office_a, office_c, tariff):
    subscription = subscription_create(url=receiver.url)
    for _ in range(3):
        register_package(origin=office_a, destination=office_c)
    receiver.script = [(429, 0, {"Retry-After": "120"})]
    before = timezone.now()
    dispatch_due()
    subscription.refresh_from_db()
    assert len(receiver.requests) == 1  # the other two wait with it
    assert subscription.paused_until - before >= timedelta(seconds=119)
    dispatch_due()
    assert len(receiver.requests) == 1
    time_passes()
    dispatch_due()
    assert len(receiver.requests) == 4


def test_five_failing_days_turn_the_subscription_off(receiver, dns, office_a, office_c, tariff):
    subscription = subscription_create(url=receiver.url)
    register_package(origin=office_a, destination=office_c)
    receiver.script = [(500, 0, {})] * 3
    dispatch_due()
    subscription.refresh_from_db()
    assert subscription.active
    assert subscription.failing_since is not None
    Subscription.objects.filter(pk=subscription.pk).update(failing_since=timezone.now() - timedelta(days=5, minutes=1))
    time_passes()
    dispatch_due()
    subscription.refresh_from_db()
    assert not subscription.active
    assert subscription.disabled_reason == "Every delivery failed for 5 days."


def test_a_bags_dispatch_enqueues_its_parcels_events_set_based(dns, office_a, office_c, tariff):
    """Bulk paths (a bag's dispatch and receipt, the event import) write events
    with SQL and enqueue them explicitly: their webhook messages come along."""
    from dispatches.movements import dispatch_bags
    from dispatches.services import bag_add_parcel, bag_close, bag_open

    dns.answers["hooks.partner.example"] = ["93.184.216.34"]
    subscription = subscription_create(url="https://hooks.partner.example/in", events=["in_transit"])
    bag = bag_open(actor=None, origin_office=office_a, destination_office=office_c, category="C")
    parcels = [register_package(origin=office_a, destination=office_c) for _ in range(3)]
    for parcel in parcels:
        package_record_event(package=parcel, status="accepted", office=office_a)
        bag_add_parcel(actor=None, bag=bag, package=parcel)
    dispatch_bags(actor=None, bags=[bag_close(actor=None, bag=bag, weight_kg="3.0", seal="S-1")])
    messages = Message.objects.filter(subscription=subscription)
    assert sorted(messages.values_list("package_id", flat=True)) == sorted(parcel.pk for parcel in parcels)
    assert set(messages.values_list("event_type", "event__status")) == {("package.in_transit", "in_transit")}


def test_a_parcel_turned_back_to_its_sender_is_sent_as_returning(receiver, dns, office_a, office_c, tariff):
    subscription = subscription_create(url=receiver.url, events=["arrived", "return_started"])
    package = register_package(origin=office_a, destination=office_c)
    journey(package, office_a, office_c)
    package_record_event(package=package, status="return_started", office=office_c, reason="refused")

    for _ in range(3):
        dispatch_due()
        time_passes()

    bodies = {body["data"]["status"]: body["data"] for body in verified(receiver, subscription.secret)}
    assert set(bodies) == {"arrived", "return_started"}
    assert (bodies["arrived"]["returning"], bodies["return_started"]["returning"]) == (False, True)
