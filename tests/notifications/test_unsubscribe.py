"""The unsubscribe link of notification emails: it works, for its package and party only."""

import re
import uuid

import pytest
from django.test import Client

from notifications.messages import unsubscribe_token
from notifications.models import Notification
from shipments.services import package_record_event
from tests.factories import party, register_package

pytestmark = pytest.mark.django_db(transaction=True)


def link_path(url: str) -> str:
    return url.removeprefix("https://track.example.com")


def test_the_emailed_link_turns_that_partys_email_off_for_that_package(aws, office_a, office_c, clerk_a, tariff):
    email = f"sam-{uuid.uuid4().hex[:8]}@example.com"
    sender = party("Sam", email=email, notify_email=True)
    package = register_package(origin=office_a, destination=office_c, actor=clerk_a, sender=sender, accept=True)
    other = register_package(origin=office_a, destination=office_c, actor=clerk_a, sender=sender, accept=True)
    [mail] = [message for message in aws.emails_to(email) if package.tracking_number in message["subject"]]
    url = re.search(r'href="(https://track\.example\.com/notifications/unsubscribe/[^"]+)"', mail["body"]).group(1)

    client = Client()
    page = client.get(link_path(url))
    assert page.status_code == 200
    assert "Stop the emails" in page.content.decode()
    package.refresh_from_db()
    assert package.sender_notify_email  # a mail scanner's GET changes nothing
    done = client.post(link_path(url))
    assert package.tracking_number in done.content.decode()
    package.refresh_from_db()
    other.refresh_from_db()
    assert not package.sender_notify_email
    assert other.sender_notify_email  # the other parcel is not touched

    package_record_event(package=package, status="in_transit", office=office_a, actor=clerk_a)
    package_record_event(package=package, status="delayed", reason="weather", actor=None)
    assert not Notification.objects.filter(package=package, status="delayed", channel="email").exists()
    assert not [message for message in aws.emails_to(email) if "delayed" in message["subject"]]


def test_a_tampered_or_foreign_link_does_nothing(office_a, office_c, clerk_a, tariff):
    package = register_package(
        origin=office_a, destination=office_c, actor=clerk_a, receiver=party("Rita", notify_email=True)
    )
    other = register_package(
        origin=office_a, destination=office_c, actor=clerk_a, receiver=party("Rita", notify_email=True)
    )
    token = unsubscribe_token(package, "receiver")
    client = Client()
    forged = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    assert client.post(f"/notifications/unsubscribe/{forged}/").status_code == 400
    # A token for the other package, made without the secret, is refused too.
    from django.core import signing

    foreign = signing.dumps({"package": other.pk, "recipient": "receiver"}, key="not-our-secret", salt="x")
    assert client.post(f"/notifications/unsubscribe/{foreign}/").status_code == 400
    package.refresh_from_db()
    other.refresh_from_db()
    assert package.receiver_notify_email
    assert other.receiver_notify_email


def test_retry_now_after_unsubscribing_sends_nothing_to_that_party(aws, office_a, office_c, clerk_a, hq, tariff):
    """An email that failed, then its party unsubscribed, then HQ pressed "Retry now": sending
    reads the party's preferences as they are now, and skips it."""
    from django.urls import reverse

    from notifications.services import dispatch_due
    from tests.helpers import login

    email = f"sam-{uuid.uuid4().hex[:8]}@example.com"
    aws.down()
    package = register_package(
        origin=office_a,
        destination=office_c,
        actor=clerk_a,
        sender=party("Sam", email=email, notify_email=True),
        accept=True,
    )
    aws.up()
    failed = Notification.objects.get(package=package, channel="email", status="accepted")
    Notification.objects.filter(pk=failed.pk).update(state="failed", attempts=8, last_error="SendEmail: down")

    assert Client().post(f"/notifications/unsubscribe/{unsubscribe_token(package, 'sender')}/").status_code == 200
    login(hq).post(
        reverse("admin:notifications_notification_changelist"),
        {"action": "retry_now", "_selected_action": [failed.pk]},
    )
    failed.refresh_from_db()
    assert failed.state == "pending"
    dispatch_due()

    failed.refresh_from_db()
    assert (failed.state, failed.last_error) == ("skipped", "The sender no longer wants emails about this parcel.")
    assert aws.emails_to(email) == []


def test_an_unsubscribe_link_expires_thirty_days_after_the_parcel_is_final(office_a, office_c, clerk_a, tariff):
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()

    def registered_and_cancelled(days_ago: int):
        package = register_package(
            origin=office_a,
            destination=office_c,
            actor=clerk_a,
            receiver=party("Rita", notify_email=True),
            registered_at=now - timedelta(days=40),
        )
        url = f"/notifications/unsubscribe/{unsubscribe_token(package, 'receiver')}/"
        assert "Stop the emails" in Client().get(url).content.decode()  # still moving: the link works
        package_record_event(package=package, status="cancelled", occurred_at=now - timedelta(days=days_ago))
        return package, url

    # Final for 29 days: the link works.
    recent, url = registered_and_cancelled(29)
    assert "Stop the emails" in Client().get(url).content.decode()
    assert Client().post(url).status_code == 200
    recent.refresh_from_db()
    assert not recent.receiver_notify_email

    # Final for 31 days: expired, on both GET and POST, and nothing changes.
    old, url = registered_and_cancelled(31)
    page = Client().get(url)
    assert page.status_code == 410
    assert "This link has expired" in page.content.decode()
    assert "Stop the emails" not in page.content.decode()
    assert Client().post(url).status_code == 410
    old.refresh_from_db()
    assert old.receiver_notify_email


def test_a_signed_link_of_no_package_is_a_404_not_a_500(db):
    from django.core import signing

    from notifications.messages import UNSUBSCRIBE_SALT

    token = signing.dumps({"package": 999_999_999, "recipient": "sender"}, salt=UNSUBSCRIBE_SALT, compress=True)
    assert Client().get(f"/notifications/unsubscribe/{token}/").status_code == 404
    assert Client().post(f"/notifications/unsubscribe/{token}/").status_code == 404
