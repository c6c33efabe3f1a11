"""The ETA watch (``manage.py detect_delays``, every 15 minutes): a package past
its expected delivery and not delivered gets a ``delayed`` event with reason
``eta_passed``, once per package and ETA, through ``package_record_event`` so
its notifications follow the usual path."""

from contextlib import nullcontext
from datetime import datetime
from typing import TypedDict

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from shipments.exceptions import ShipmentError
from shipments.models import Package, TrackingEvent
from shipments.services import package_record_event
from shipments.statuses import Reason, Status, can_follow

from .services import batched_delivery

# The statuses ``delayed`` may follow (shipments/statuses.py); the condition of
# package_eta_watch_idx (migration 0002) lists the same.
DELAYABLE = [status for status in Status.values if can_follow(status, Status.DELAYED)]
# A run stays well inside a Lambda's time; a backlog clears over the next runs.
RUN_LIMIT = 2000


class DelaySummary(TypedDict):
    """What a run did. A dict: the scheduled job's result is what the Lambda
    runtime sends back as JSON (a dataclass fails there, Runtime.MarshalError)."""

    recorded: int
    skipped: int


def overdue_packages(now: datetime) -> QuerySet[Package]:
    """Packages past their ETA, on their way, without an ``eta_passed`` delay
    since that ETA, oldest ETA first. The status filter is the condition of
    the partial index ``package_eta_watch_idx``, so PostgreSQL reads that index."""
    already = TrackingEvent.objects.filter(
        package=OuterRef("pk"),
        status=Status.DELAYED,
        reason=Reason.ETA_PASSED,
        occurred_at__gte=OuterRef("expected_delivery_at"),
    )
    # A parcel on its way back to its sender is past its ETA by then: not news.
    return (
        Package.objects.filter(status__in=DELAYABLE, expected_delivery_at__lt=now, returning=False)
        .filter(~Exists(already))
        .order_by("expected_delivery_at")
    )


def detect_delays(*, now: datetime | None = None, dry_run: bool = False, limit: int = RUN_LIMIT) -> DelaySummary:
    """Record the missing ETA delays; with ``dry_run`` everything is rolled back
    and nothing is sent."""
    now = now or timezone.now()
    summary = DelaySummary(recorded=0, skipped=0)
    # Each event commits on its own (one refusal never undoes the others); a
    # dry run holds them all in one transaction and rolls it back.
    with batched_delivery(), transaction.atomic() if dry_run else nullcontext():
        for package in overdue_packages(now).select_related("current_office")[:limit]:
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
                summary["skipped"] += 1
            else:
                summary["recorded"] += 1
        if dry_run:
            transaction.set_rollback(True)
    return summary
