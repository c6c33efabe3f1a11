"""The texts: one template per event and channel, SMS short and in GSM-7, topic without personal data."""

import json

import pytest
from django.test import override_settings
from django.utils import timezone

from notifications.messages import email_parts, sms_text, topic_message
from notifications.services import PARTY_TRIGGERS
from shipments.models import TrackingEvent
from tests.factories import LocationFactory, OfficeFactory, party, register_package

GSM7 = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ ÆæßÉ!\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmnopqrstuvwxyzäöñüà"
)


@pytest.mark.parametrize("status", sorted(PARTY_TRIGGERS))
@override_settings(PUBLIC_TRACKING_URL="https://track.example-parcels.com")
def test_every_notifying_event_has_a_short_gsm7_sms_and_an_email(status, office_a, office_c, tariff):
    package = register_package(
        origin=office_a, destination=office_c, accept=True, receiver=party("Rita Receiver-With-A-Long-Name")
    )
    package.received_by = "Someone With A Rather Long Signature Name"
    reason = "missed_connection" if status in ("delayed", "delivery_failed") else ""
    event = TrackingEvent(package=package, status=status, office=office_c, occurred_at=timezone.now(), reason=reason)
    text = sms_text(event, "receiver")
    # One part of 160; the pickup message, which says where and when, at most two (153 each).
    assert len(text) <= (2 * 153 if status == "ready_for_pickup" else 159), text
    assert set(text) <= GSM7, set(text) - GSM7
    assert package.tracking_number in text
    assert f"https://track.example-parcels.com/track/?number={package.tracking_number}" in text
    subject, plain, html = email_parts(event, "receiver")
    assert package.tracking_number in subject
    assert "/notifications/unsubscribe/" in plain
    assert "/notifications/unsubscribe/" in html


def test_the_topic_message_has_no_personal_data(office_a, office_c, tariff):
    package = register_package(origin=office_a, destination=office_c, accept=True)
    event = package.events.order_by("-id").first()
    body, attributes = topic_message(event)
    data = json.loads(body)
    assert set(data) >= {
        "tracking_number",
        "status",
        "occurred_at",
        "office",
        "origin_office",
        "destination_office",
        "expected_delivery_at",
    }
    for personal in (package.sender_name, package.receiver_name, package.sender_phone, package.receiver_email):
        assert personal not in body
    assert attributes == {"event": "accepted", "origin_office": "AAA01", "destination_office": "CCC01"}


@pytest.mark.parametrize(
    ("signed_by", "shown"),
    [
        ("Zoë Ωmega", "Zoe Ωmega"),
        ("Amélie-Françoise Dubois-Martin", "Amélie-Francoise Dub"),
        ("王小明", None),
        ("李 Wei 📦", "Wei"),
    ],
)
@override_settings(PUBLIC_TRACKING_URL="https://track.example-parcels.com")
def test_a_name_gsm7_cannot_spell_keeps_the_sms_one_gsm7_part(signed_by, shown, office_a, office_c, tariff):
    """One character outside GSM-7 would send the whole text as UCS-2 (70 a part):
    accents GSM-7 lacks are dropped, other scripts left out with their words."""
    package = register_package(origin=office_a, destination=office_c, accept=True)
    package.received_by = signed_by
    event = TrackingEvent(package=package, status="delivered", office=office_c, occurred_at=timezone.now())
    text = sms_text(event, "receiver")
    assert set(text) <= GSM7, set(text) - GSM7
    assert len(text) <= 160
    if shown:
        assert f"was delivered (signed by {shown}). https://" in text
    else:
        assert f"{package.tracking_number} was delivered. https://" in text


@override_settings(PUBLIC_TRACKING_URL="https://track.example-parcels.com")
def test_the_pickup_message_gives_the_offices_name_address_and_opening_hours(office_a, tariff):
    """It named the office by its code only ("ready for pickup at CCC01")."""
    pickup = OfficeFactory(
        code="BOS01",
        name="Boston Back Bay",
        phone="+16175550100",
        opening_hours="Mon–Fri 8:00–19:00, Sat 9:00–13:00",
        location=LocationFactory(line1="800 Boylston St", city="Boston", region="MA", postal_code="02199"),
    )
    package = register_package(origin=office_a, destination=pickup, accept=True)
    event = TrackingEvent(package=package, status="ready_for_pickup", office=pickup, occurred_at=timezone.now())
    text = sms_text(event, "receiver")
    assert text == (
        f"Parcel {package.tracking_number} is ready for pickup at Boston Back Bay, 800 Boylston St, Boston. "
        "Open Mon-Fri 8:00-19:00, Sat 9:00-13:00. "
        f"https://track.example-parcels.com/track/?number={package.tracking_number}"
    )
    assert "BOS01" not in text
    subject, plain, html = email_parts(event, "receiver")
    for part in (plain, html):
        assert "Boston Back Bay" in part
        assert "800 Boylston St, Boston, MA, 02199" in part
        assert "Opening hours: Mon–Fri 8:00–19:00, Sat 9:00–13:00" in part
        assert "+16175550100" in part


@override_settings(PUBLIC_TRACKING_URL="https://track.example-parcels.com")
def test_an_office_without_opening_hours_still_gives_its_name_and_address(office_a, office_c, tariff):
    package = register_package(origin=office_a, destination=office_c, accept=True)
    event = TrackingEvent(package=package, status="ready_for_pickup", office=office_c, occurred_at=timezone.now())
    text = sms_text(event, "receiver")
    assert f"ready for pickup at Office C, {office_c.location.line1}, {office_c.location.city}. https://" in text
    assert "Open" not in text
