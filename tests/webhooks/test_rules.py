"""The webhook rules over plain values: Retry-After, the body's limits."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import IntegrityError

from webhooks.models import MAX_BODY_BYTES, Message
from webhooks.rules import delivered, next_delay, package_body, retry_after
from webhooks.services import subscription_create

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "wait"),
    [
        ("120", timedelta(seconds=120)),
        ("Mon, 07 Dec 2026 12:05:00 GMT", timedelta(minutes=5)),
        ("Mon, 07 Dec 2026 11:00:00 GMT", timedelta(0)),  # already past
        ("9" * 400, timedelta(hours=24)),  # at most a day
        ("Wed, 01 Jan 3000 00:00:00 GMT", timedelta(hours=24)),
        ("soon", None),
        ("²", None),  # a digit to isdigit(), not to int()
        ("", None),
        (None, None),
    ],
)
def test_retry_after(value, wait):
    assert retry_after(value, now=NOW) == wait


def test_only_2xx_delivers_and_the_schedule_ends():
    assert [delivered(code) for code in (200, 204, 299, 301, 304, 410, 500, None)] == [True] * 3 + [False] * 5
    assert next_delay(1) == timedelta(seconds=5)
    assert next_delay(9) == timedelta(hours=24)
    assert next_delay(10) is None


def test_the_largest_package_body_is_far_below_the_limit():
    body = package_body(
        event_type="package.ready_for_pickup",
        tracking_number="X" * 13,
        status="ready_for_pickup",
        reason="r" * 30,
        occurred_at=NOW,
        office="O" * 10,
        origin_office="O" * 10,
        destination_office="O" * 10,
        expected_delivery_at=NOW,
        returning=True,
        service="s" * 20,
    )
    assert len(body.encode()) < 1024


@pytest.mark.django_db
def test_the_database_refuses_a_body_over_20_kb(dns):
    subscription = subscription_create(url="https://hooks.partner.example/in")
    with pytest.raises(IntegrityError):
        Message.objects.create(subscription=subscription, webhook_id="msg_big", body="é" * (MAX_BODY_BYTES // 2 + 1))
