"""The journey of a package: statuses, what may follow what, and reasons.

This table is the single source of truth for transitions (docs/domain.md);
``services.package_record_event`` is the only code that applies it.
"""

from datetime import datetime, timedelta
from typing import Any

from django.db import models


class Status(models.TextChoices):
    CREATED = "created", "Created"
    ACCEPTED = "accepted", "Accepted (sent)"
    IN_TRANSIT = "in_transit", "In transit"
    ARRIVED = "arrived", "Arrived (received)"
    OUT_FOR_DELIVERY = "out_for_delivery", "Out for delivery"
    DELIVERY_FAILED = "delivery_failed", "Delivery failed"
    READY_FOR_PICKUP = "ready_for_pickup", "Ready for pickup"
    DELAYED = "delayed", "Delayed"
    DELIVERED = "delivered", "Delivered"
    RETURNED = "returned", "Returned"
    CANCELLED = "cancelled", "Cancelled"
    LOST = "lost", "Lost"


ALLOWED_NEXT: dict[str, frozenset[str]] = {
    Status.CREATED: frozenset({Status.ACCEPTED, Status.CANCELLED}),
    Status.ACCEPTED: frozenset(
        {
            Status.IN_TRANSIT,
            Status.OUT_FOR_DELIVERY,
            Status.READY_FOR_PICKUP,
            Status.DELAYED,
            Status.RETURNED,
            Status.LOST,
        }
    ),
    Status.IN_TRANSIT: frozenset({Status.ARRIVED, Status.DELAYED, Status.LOST}),
    Status.ARRIVED: frozenset(
        {
            Status.IN_TRANSIT,
            Status.OUT_FOR_DELIVERY,
            Status.READY_FOR_PICKUP,
            Status.DELAYED,
            Status.RETURNED,
            Status.LOST,
        }
    ),
    Status.OUT_FOR_DELIVERY: frozenset({Status.DELIVERED, Status.DELIVERY_FAILED, Status.DELAYED}),
    Status.DELIVERY_FAILED: frozenset({Status.OUT_FOR_DELIVERY, Status.READY_FOR_PICKUP, Status.RETURNED}),
    Status.READY_FOR_PICKUP: frozenset({Status.DELIVERED, Status.RETURNED}),
    Status.DELAYED: frozenset(
        {
            Status.IN_TRANSIT,
            Status.ARRIVED,
            Status.OUT_FOR_DELIVERY,
            Status.READY_FOR_PICKUP,
            Status.DELIVERED,
            Status.RETURNED,
            Status.LOST,
        }
    ),
    Status.DELIVERED: frozenset(),
    Status.RETURNED: frozenset(),
    Status.CANCELLED: frozenset(),
    Status.LOST: frozenset(),
}

FINAL_STATUSES = frozenset(status for status, following in ALLOWED_NEXT.items() if not following)

# Statuses after which the package is physically at the event's office.
AT_OFFICE = frozenset(
    {
        Status.ACCEPTED,
        Status.ARRIVED,
        Status.OUT_FOR_DELIVERY,
        Status.DELIVERY_FAILED,
        Status.READY_FOR_PICKUP,
        Status.DELIVERED,
        Status.RETURNED,
    }
)

# Physically at its current office now ("on hand"): handed over or arrived and
# not gone again. Not a parcel only registered (not handed over yet), one out
# with a courier, or one delivered, returned, cancelled or lost. A delay keeps
# a parcel where it was: on hand if it was at an office, nowhere in transit.
ON_HAND = frozenset({Status.ACCEPTED, Status.ARRIVED, Status.DELIVERY_FAILED, Status.READY_FOR_PICKUP, Status.DELAYED})

# Steps a clerk confirms on a second page before they are recorded: each ends the
# journey for good, and a cancellation refunds the sender at once.
CONFIRM_FIRST = frozenset({Status.CANCELLED, Status.LOST, Status.RETURNED})

# Handovers: recorded by a person only with a proof (who took the parcel, their
# signature; the handover app records it). The one place that names them.
HANDOVER_STATUSES = frozenset({Status.DELIVERED})

# Statuses that need a reason picked from Reason.
REASON_REQUIRED = frozenset({Status.DELAYED, Status.DELIVERY_FAILED, Status.LOST})
# Statuses that may carry a reason.
REASON_ALLOWED = REASON_REQUIRED | {Status.RETURNED, Status.CANCELLED}


class Reason(models.TextChoices):
    WEATHER = "weather", "Weather"
    CAPACITY = "capacity", "Capacity"
    CUSTOMS = "customs", "Customs"
    ADDRESS_ISSUE = "address_issue", "Address issue"
    DAMAGED = "damaged", "Damaged"
    MISSED_CONNECTION = "missed_connection", "Missed connection"
    RECEIVER_ABSENT = "receiver_absent", "Receiver absent"
    REFUSED = "refused", "Refused by receiver"
    ETA_PASSED = "eta_passed", "Expected delivery passed"
    MISSING_FROM_BAG = "missing_from_bag", "Missing from bag"
    OTHER = "other", "Other"


def allowed_next(status: str) -> list[str]:
    """The statuses that may follow ``status``, in the order of ``Status``."""
    following = ALLOWED_NEXT[status]
    return [value for value in Status.values if value in following]


def can_follow(current: str, new: str) -> bool:
    return new in ALLOWED_NEXT.get(current, frozenset())


def effect_of(
    status: str,
    *,
    office_id: int | None,
    occurred_at: datetime,
    transit_days: int,
    received_by: str = "",
    reason: str = "",
) -> dict[str, Any]:
    """What recording ``status`` does to a package's own columns: its status,
    where it is (nowhere while in transit), when it was accepted and is
    expected, when it was delivered and to whom. Every path that moves a
    package (the service, a bulk generator, an import) applies this."""
    changes: dict[str, Any] = {"status": status}
    if status == Status.IN_TRANSIT or (status == Status.DELAYED and reason == Reason.MISSING_FROM_BAG):
        # A parcel missing from its bag is on hand nowhere until it is scanned again.
        changes["current_office_id"] = None
    elif status in AT_OFFICE:
        changes["current_office_id"] = office_id
    if status == Status.ACCEPTED:
        changes["accepted_at"] = occurred_at
        changes["expected_delivery_at"] = occurred_at + timedelta(days=transit_days)
    elif status == Status.DELIVERED:
        changes["delivered_at"] = occurred_at
        changes["received_by"] = received_by
    return changes
