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
    RETURN_STARTED = "return_started", "Returning to sender"
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
            Status.RETURN_STARTED,
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
            Status.RETURN_STARTED,
            Status.RETURNED,
            Status.LOST,
        }
    ),
    Status.OUT_FOR_DELIVERY: frozenset({Status.DELIVERED, Status.DELIVERY_FAILED, Status.DELAYED}),
    Status.DELIVERY_FAILED: frozenset(
        {Status.OUT_FOR_DELIVERY, Status.READY_FOR_PICKUP, Status.RETURN_STARTED, Status.RETURNED}
    ),
    Status.READY_FOR_PICKUP: frozenset({Status.DELIVERED, Status.RETURN_STARTED, Status.RETURNED}),
    Status.DELAYED: frozenset(
        {
            Status.IN_TRANSIT,
            Status.ARRIVED,
            Status.OUT_FOR_DELIVERY,
            Status.READY_FOR_PICKUP,
            Status.DELIVERED,
            Status.RETURN_STARTED,
            Status.RETURNED,
            Status.LOST,
        }
    ),
    # The way back starts where the parcel is; it then travels as any parcel does.
    Status.RETURN_STARTED: frozenset({Status.IN_TRANSIT, Status.READY_FOR_PICKUP, Status.RETURNED, Status.LOST}),
    Status.DELIVERED: frozenset(),
    Status.RETURNED: frozenset(),
    Status.CANCELLED: frozenset(),
    Status.LOST: frozenset(),
}

FINAL_STATUSES = frozenset(status for status, following in ALLOWED_NEXT.items() if not following)

# On the way back to the sender (``Package.returning``) a parcel goes to its
# origin office and is handed to its sender there (``returned``): never out
# for delivery to the receiver, and its return has started already.
NOT_ON_THE_WAY_BACK = frozenset(
    {Status.OUT_FOR_DELIVERY, Status.DELIVERY_FAILED, Status.DELIVERED, Status.RETURN_STARTED}
)
# After this many failed deliveries a parcel goes back to its sender.
MAX_FAILED_DELIVERIES = 3

# Statuses after which the package is physically at the event's office.
AT_OFFICE = frozenset(
    {
        Status.ACCEPTED,
        Status.ARRIVED,
        Status.OUT_FOR_DELIVERY,
        Status.DELIVERY_FAILED,
        Status.READY_FOR_PICKUP,
        Status.DELIVERED,
        Status.RETURN_STARTED,
        Status.RETURNED,
    }
)

# Physically at its current office now ("on hand"): handed over or arrived and
# not gone again. Not a parcel only registered (not handed over yet), one out
# with a courier, or one delivered, returned, cancelled or lost. A delay keeps
# a parcel where it was: on hand if it was at an office, nowhere in transit.
ON_HAND = frozenset(
    {
        Status.ACCEPTED,
        Status.ARRIVED,
        Status.DELIVERY_FAILED,
        Status.READY_FOR_PICKUP,
        Status.DELAYED,
        Status.RETURN_STARTED,
    }
)

# Steps a clerk confirms on a second page before they are recorded: each ends the
# journey for good (a cancellation refunds the sender at once), or turns it
# back for good (a return to sender is charged its fee).
CONFIRM_FIRST = frozenset({Status.CANCELLED, Status.LOST, Status.RETURN_STARTED, Status.RETURNED})

# Handovers: steps that hand the parcel to a person, the receiver (delivered) or,
# at the origin, its sender (returned). Each names who took it (``received_by``)
# and is recorded by a person only with a proof (their signature; the handover
# app records it). The one place that names them.
HANDOVER_STATUSES = frozenset({Status.DELIVERED, Status.RETURNED})

# Statuses that need a reason picked from Reason.
REASON_REQUIRED = frozenset({Status.DELAYED, Status.DELIVERY_FAILED, Status.LOST, Status.RETURN_STARTED})
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
    HOLDING_EXPIRED = "holding_expired", "Not collected within the holding period"
    DELIVERY_ATTEMPTS = "delivery_attempts", "Three failed deliveries"
    MISSING_FROM_BAG = "missing_from_bag", "Missing from bag"
    OTHER = "other", "Other"


def allowed_next(status: str, *, returning: bool = False) -> list[str]:
    """The statuses that may follow ``status``, in the order of ``Status``
    (on the way back, without ``NOT_ON_THE_WAY_BACK``)."""
    following = ALLOWED_NEXT[status]
    return [value for value in Status.values if value in following and not (returning and value in NOT_ON_THE_WAY_BACK)]


def can_follow(current: str, new: str, *, returning: bool = False) -> bool:
    if returning and new in NOT_ON_THE_WAY_BACK:
        return False
    return new in ALLOWED_NEXT.get(current, frozenset())


def heading_to(*, origin_office_id: int, destination_office_id: int, returning: bool) -> int:
    """The office a parcel is travelling to: its destination, or its origin on the way back."""
    return origin_office_id if returning else destination_office_id


def return_follows(*, status: str, reason: str, failed_deliveries: int, returning: bool) -> str:
    """The reason of the return a step starts by itself, or "": a delivery the
    receiver refused, or the third failed one (``failed_deliveries`` counts this one)."""
    if status != Status.DELIVERY_FAILED or returning:
        return ""
    if reason == Reason.REFUSED:
        return Reason.REFUSED
    return Reason.DELIVERY_ATTEMPTS if failed_deliveries >= MAX_FAILED_DELIVERIES else ""


def effect_of(
    status: str,
    *,
    office_id: int | None,
    occurred_at: datetime,
    transit_days: int,
    received_by: str = "",
    reason: str = "",
    returning: bool = False,
    holding_days: int | None = None,
) -> dict[str, Any]:
    """What recording ``status`` does to a package's own columns: its status,
    where it is (nowhere while in transit), when it was accepted and is
    expected, when it was delivered and to whom, whether it is on its way back,
    and until when it waits for pickup (``holding_days`` of the office; a
    parcel on its way back waits for its sender without an end). Every path
    that moves a package (the service, a bulk generator, an import) applies this."""
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
    elif status == Status.RETURNED:
        changes["received_by"] = received_by  # the sender, or who collected it for them
    elif status == Status.RETURN_STARTED:
        changes["returning"] = True
        changes["holding_until"] = None
    elif status == Status.READY_FOR_PICKUP:
        waits = not returning and holding_days is not None
        changes["holding_until"] = occurred_at + timedelta(days=holding_days) if waits else None  # type: ignore[arg-type]
        changes["holding_reminded_at"] = None
    return changes
