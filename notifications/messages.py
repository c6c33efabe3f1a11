"""What a notification says: SMS and email texts from templates/notifications/,
the topic's JSON and attributes, and the signed unsubscribe link."""

import json
import unicodedata
from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.template.loader import render_to_string
from django.urls import reverse

from shipments.models import Package, TrackingEvent
from shipments.times import local_text, office_zone

UNSUBSCRIBE_SALT = "notifications.unsubscribe"

# GSM 03.38's basic character set. An SMS in it holds 160 characters; a single
# character outside it (a name in another script, an emoji) turns the whole
# message into UCS-2, 70 characters a part, so a 100-character text goes out
# (and is billed) as two or three parts.
GSM7 = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ ÆæßÉ!\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmnopqrstuvwxyzäöñüà"
)


# Punctuation GSM-7 lacks, as the nearest it has (opening hours are written "Mon–Fri").
_GSM7_SUBSTITUTES = str.maketrans({"–": "-", "—": "-", "‑": "-", "‘": "'", "’": "'", "“": '"', "”": '"', "…": "..."})


def gsm7(text: str) -> str:
    """``text`` in GSM-7's basic set, on one line: dashes and curly quotes as
    their plain forms, an accent the set lacks dropped from its letter
    (Zoë → Zoe), what has no such letter (other scripts, emoji) left out."""
    kept = []
    for char in text.translate(_GSM7_SUBSTITUTES):
        if char in GSM7:
            kept.append(char)
        else:
            kept.extend(part for part in unicodedata.normalize("NFKD", char) if part in GSM7)
    return " ".join("".join(kept).split())


def tracking_url(package: Package) -> str:
    return f"{settings.PUBLIC_TRACKING_URL.rstrip('/')}/track/?{urlencode({'number': package.tracking_number})}"


def unsubscribe_token(package: Package, recipient: str) -> str:
    """Signed package id and party: it turns off that party's email for that package only."""
    return signing.dumps({"package": package.pk, "recipient": recipient}, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_url(package: Package, recipient: str) -> str:
    path = reverse("notifications:unsubscribe", args=[unsubscribe_token(package, recipient)])
    return f"{settings.PUBLIC_TRACKING_URL.rstrip('/')}{path}"


def _context(event: TrackingEvent, recipient: str) -> dict:
    package = event.package
    return {
        "package": package,
        "event": event,
        "recipient": recipient,
        "tracking_url": tracking_url(package),
        "office": event.office,
        # The last day a parcel waits for pickup, in its office's zone (the holding reminder says it).
        "holding_until": local_text(package.holding_until, office_zone(event.office), "DATE_FORMAT"),
    }


def sms_text(event: TrackingEvent, recipient: str, message: str = "", sealed: dict | None = None) -> str:
    """The template's text in GSM-7 (the templates keep names they cannot
    spell in it out of the text, see the ``gsm7`` filter): one part, and at
    most two for the pickup message, which says where and when to come.
    ``message`` names a template other than the event's status's (a reminder);
    ``sealed``: the row's sealed context (a collection code), at send time only."""
    context = _context(event, recipient) | (sealed or {})
    return gsm7(render_to_string(f"notifications/sms/{message or event.status}.txt", context))


def email_parts(
    event: TrackingEvent, recipient: str, message: str = "", sealed: dict | None = None
) -> tuple[str, str, str]:
    """(subject, plain text, HTML); the text template's first line is the subject."""
    context = (
        _context(event, recipient) | {"unsubscribe_url": unsubscribe_url(event.package, recipient)} | (sealed or {})
    )
    name = message or event.status
    subject, _, text = render_to_string(f"notifications/email/{name}.txt", context).strip().partition("\n")
    html = render_to_string(f"notifications/email/{name}.html", context | {"subject": subject})
    return subject.strip(), text.strip() + "\n", html


def topic_message(event: TrackingEvent) -> tuple[str, dict[str, str]]:
    """The event as JSON for subscribers (no personal data) and the attributes
    their filter policies match on."""
    package = event.package
    body = {
        "tracking_number": package.tracking_number,
        "status": event.status,
        "reason": event.reason,
        "occurred_at": event.occurred_at.isoformat(),
        "office": event.office.code if event.office else None,
        "origin_office": package.origin_office.code,
        "destination_office": package.destination_office.code,
        "expected_delivery_at": package.expected_delivery_at.isoformat() if package.expected_delivery_at else None,
        "service": package.service,
    }
    attributes = {
        "event": event.status,
        "origin_office": package.origin_office.code,
        "destination_office": package.destination_office.code,
    }
    return json.dumps(body), attributes
