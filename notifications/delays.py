"""The ETA watch (``manage.py detect_delays``, every 15 minutes): a package past
its expected delivery and not delivered gets a ``delayed`` event with reason
``eta_passed``, once per package and ETA, through ``package_record_event`` so
its notifications follow the usual path."""

from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from shipments.exceptions import ShipmentError
from shipments.models import Package, TrackingEvent
from shipments.services import package_record_event
from shipments.statuses import FINAL_STATUSES, Reason, Status, can_follow

from .services import batched_delivery

# The statuses ``delayed`` may follow (shipments/statuses.py).
DELAYABLE = [status for status in Status.values if can_follow(status, Status.DELAYED)]


@dataclass
class DelaySummary:
    recorded: int = 0
    skipped: int = 0


def overdue_packages(now: datetime) -> QuerySet[Package]:
    """Packages past their ETA, on their way, without an ``eta_passed`` delay
    since that ETA. The filter repeats the partial index's condition
    (``package_open_eta_idx``) so PostgreSQL reads the index, not the table."""
    already = TrackingEvent.objects.filter(
        package=OuterRef("pk"),
        status=Status.DELAYED,
        reason=Reason.ETA_PASSED,
        occurred_at__gte=OuterRef("expected_delivery_at"),
    )
    return (
        Package.objects.exclude(status__in=sorted(FINAL_STATUSES))
        .filter(expected_delivery_at__lt=now, status__in=DELAYABLE)
        .filter(~Exists(already))
        .order_by()
    )


def detect_delays(*, now: datetime | None = None, dry_run: bool = False) -> DelaySummary:
    """Record the missing ETA delays; with ``dry_run`` everything is rolled back
    and nothing is sent."""
    now = now or timezone.now()
    summary = DelaySummary()
    # Each event commits on its own (one refusal never undoes the others); a
    # dry run holds them all in one transaction and rolls it back.
    with batched_delivery(), transaction.atomic() if dry_run else nullcontext():
        for package in overdue_packages(now).select_related("current_office"):
            try:
                package_record_event(
                    package=package,
                    status=Status.DELAYED,
                    reason=Reason.ETA_PASSED,
                    source=TrackingEvent.Source.SYSTEM,
                    note="Expected delivery passed.",
                )
            except ShipmentError:
                # Its status changed meanwhile (a clerk's scan): nothing to do any more.
                summary.skipped += 1
            else:
                summary.recorded += 1
        if dry_run:
            transaction.set_rollback(True)
    return summary
