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
