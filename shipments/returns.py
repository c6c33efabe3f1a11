"""The way back to the sender: a return by a clerk's decision, and the holding
job (``manage.py expire_holdings``, on the worker's schedule) that reminds the
receiver of a parcel waiting for pickup and sends it back when its holding
period ends.

Every step goes through ``services.package_record_event``: the status table
(``statuses.ALLOWED_NEXT``) decides, the return fee and the sender's message
follow as for any return.
"""

from contextlib import nullcontext
from datetime import datetime, timedelta
from typing import TypedDict

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from offices.models import Office

from .exceptions import ShipmentError
from .models import Package, TrackingEvent
from .services import package_record_event
from .statuses import Reason, Status

# The receiver is reminded this long before the holding period ends.
REMIND_BEFORE = timedelta(days=3)
# A run stays well inside a Lambda's time; a backlog clears over the next runs.
RUN_LIMIT = 2000
REMINDER = "holding_reminder"  # the reminder's templates (templates/notifications/*/holding_reminder.*)


class HoldingSummary(TypedDict):
    """What a run did (a dict: the scheduled job's result goes back as JSON)."""

    reminded: int
    returned: int
    skipped: int


def package_return_start(
    *,
    package: Package,
    actor: User | None,
    reason: str,
    note: str = "",
    office: Office | None = None,
    source: str = TrackingEvent.Source.COUNTER,
) -> TrackingEvent:
    """A clerk decides the parcel goes back to its sender, for ``reason``
    (required): ``return_started`` where the parcel is, through the one service."""
    return package_record_event(
        package=package,
        status=Status.RETURN_STARTED,
        office=office,
        actor=actor,
        reason=reason,
        note=note,
        source=source,
    )


def holdings_to_remind(now: datetime) -> QuerySet[Package]:
    """Waiting for pickup, not reminded, the end less than ``REMIND_BEFORE`` away
    and not passed: the condition of the partial index ``package_holding_remind_idx``."""
    return Package.objects.filter(
        status=Status.READY_FOR_PICKUP,
        holding_reminded_at__isnull=True,
        holding_until__gt=now,
        holding_until__lte=now + REMIND_BEFORE,
    ).order_by("holding_until")


def holdings_expired(now: datetime) -> QuerySet[Package]:
    """Waiting for pickup past the end of the holding period (``package_holding_idx``)."""
    return Package.objects.filter(status=Status.READY_FOR_PICKUP, holding_until__lte=now).order_by("holding_until")


def _remind(package_id: int, now: datetime) -> bool:
    """One reminder, once: the package row is claimed by the UPDATE that marks it."""
    from notifications.muting import is_muted
    from notifications.services import enqueue_rows, reminder_rows

    with transaction.atomic():
        claimed = Package.objects.filter(
            pk=package_id, status=Status.READY_FOR_PICKUP, holding_reminded_at__isnull=True
        ).update(holding_reminded_at=now)
        if not claimed:
            return False
        event = (
            TrackingEvent.objects.filter(package_id=package_id, status=Status.READY_FOR_PICKUP)
            .select_related("office__location", "package__origin_office", "package__destination_office")
            .order_by("-occurred_at", "-id")
            .first()
        )
        if event is not None and not is_muted():
            enqueue_rows(reminder_rows(event, REMINDER))
    return True


def expire_holdings(*, now: datetime | None = None, dry_run: bool = False, limit: int = RUN_LIMIT) -> HoldingSummary:
    """Remind the receivers whose parcel's holding period ends within three days
    (once each), then start the return of every parcel whose period has ended.
    Idempotent: a second run finds nothing. ``dry_run`` rolls everything back
    and sends nothing."""
    from notifications.services import batched_delivery

    now = now or timezone.now()
    summary = HoldingSummary(reminded=0, returned=0, skipped=0)
    with batched_delivery(), transaction.atomic() if dry_run else nullcontext():
        for package_id in list(holdings_to_remind(now).values_list("pk", flat=True)[:limit]):
            summary["reminded"] += _remind(package_id, now)
        for package in holdings_expired(now).select_related("current_office")[:limit]:
            try:
                package_record_event(
                    package=package,
                    status=Status.RETURN_STARTED,
                    reason=Reason.HOLDING_EXPIRED,
                    source=TrackingEvent.Source.SYSTEM,
                    note="Not collected within the holding period.",
                )
            except ShipmentError:
                summary["skipped"] += 1  # collected or moved meanwhile (a clerk's click)
            else:
                summary["returned"] += 1
        if dry_run:
            transaction.set_rollback(True)
    return summary
