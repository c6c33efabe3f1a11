"""The unsubscribe link's action: turn one party's email off for one parcel,
while the link is still valid (it expires when the parcel has been final for
``LINK_DAYS_AFTER_FINAL`` days)."""

from datetime import datetime, timedelta

from django.db import transaction

from shipments.models import Package
from shipments.statuses import FINAL_STATUSES

from .models import Notification

# A parcel's messages stop when its journey is over; its links keep working for a while after.
LINK_DAYS_AFTER_FINAL = 30


class LinkExpired(Exception):
    """The parcel has been final for longer than the link lives."""


def link_expired(*, final_at: datetime | None, now: datetime) -> bool:
    """Whether an unsubscribe link of a parcel that became final at ``final_at``
    (None: not final) no longer works at ``now``."""
    return final_at is not None and now > final_at + timedelta(days=LINK_DAYS_AFTER_FINAL)


def final_at(package: Package) -> datetime | None:
    """When the parcel reached its final status (its final event's time), or None."""
    if not package.is_final:
        return None
    return (
        package.events.filter(status__in=FINAL_STATUSES)
        .order_by("-occurred_at")
        .values_list("occurred_at", flat=True)
        .first()
    )


@transaction.atomic
def unsubscribe_email(*, package_id: int, recipient: str, now: datetime) -> Package:
    """Turn off ``recipient``'s email for one package (the signed link's action).
    Raises LinkExpired when the link is too old."""
    package = Package.objects.select_for_update().get(pk=package_id)
    if link_expired(final_at=final_at(package), now=now):
        raise LinkExpired
    field = {"sender": "sender_notify_email", "receiver": "receiver_notify_email"}[recipient]
    if getattr(package, field):
        setattr(package, field, False)
        package.save(update_fields=[field, "updated_at"])
    Notification.objects.filter(
        package=package, recipient=recipient, channel=Notification.Channel.EMAIL, state="pending"
    ).update(state="skipped", last_error="Unsubscribed.")
    return package
