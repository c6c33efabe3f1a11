"""The rules of a step in a parcel's journey, over plain values: where it
happens (``step_office_id``, ``event_office_problems``), what it needs besides
its office (a reason, who took the parcel), that a person hands a parcel over
only with a proof, and that a parcel in a bag moves only with it. One set of
rules for the counter, the API, scans, bags and imports; the general ones
(``Problem``, ``refuse``, times, parties) are ``shipments.rules``."""

from typing import Any

from .rules import Problem
from .statuses import AT_OFFICE, HANDOVER_STATUSES, REASON_ALLOWED, REASON_REQUIRED, Reason, Status

_REASONS = frozenset(Reason.values)
_STATUSES = frozenset(Status.values)
_NEEDS_OFFICE = AT_OFFICE | {Status.IN_TRANSIT}
# Physical steps that happen at the office holding the parcel (docs/domain.md,
# "Where a step happens"); an arrival may be at any office.
AT_PARCEL = frozenset(
    {
        Status.IN_TRANSIT,
        Status.OUT_FOR_DELIVERY,
        Status.DELIVERY_FAILED,
        Status.READY_FOR_PICKUP,
        Status.DELIVERED,
        Status.RETURN_STARTED,
        Status.RETURNED,
    }
)


def step_office_id(package: Any, status: str) -> int | None:
    """The one office where ``status`` may be recorded for ``package``, or None
    when any office will do (an arrival, a delay, a loss, a cancellation):
    accepted at the origin, ready for pickup at the destination, and every
    other physical step where the parcel is now."""
    if status == Status.ACCEPTED:
        return int(package.origin_office_id)
    if status == Status.READY_FOR_PICKUP:
        return int(package.origin_office_id if package.returning else package.destination_office_id)
    if status in AT_PARCEL:
        current: int | None = package.current_office_id
        return current
    return None


def preselected_step_office_id(package: Any, status: str) -> int | None:
    """Where a step usually happens, to preselect it for a clerk: the office it
    must happen at, else the destination for an arrival, else where the
    package is now."""
    required = step_office_id(package, status)
    if required is not None:
        return required
    if status == Status.ARRIVED:
        return int(package.origin_office_id if package.returning else package.destination_office_id)
    current: int | None = package.current_office_id
    return current


def event_detail_problems(*, status: str, reason: str, received_by: str) -> list[Problem]:
    """What a step needs besides its office: a known status, a reason where the
    status asks for one (and none where it takes none), who took the parcel (HANDOVER_STATUSES)."""
    if status not in _STATUSES:
        return [Problem("status", "Unknown status.", f"Unknown status “{status}”.")]
    label = Status(status).label
    problems = []
    if status in REASON_REQUIRED and not reason:
        problems.append(Problem("reason", "Required for this status.", f"Pick a reason for “{label}”."))
    elif reason and reason not in _REASONS:
        problems.append(
            Problem(
                "reason", "Unknown reason.", f"Unknown reason “{reason}”. Choose one of: {', '.join(Reason.values)}."
            )
        )
    elif reason and status not in REASON_ALLOWED:
        problems.append(Problem("reason", "Not used for this status.", f"“{label}” takes no reason."))
    if status in HANDOVER_STATUSES and not received_by.strip():
        problems.append(Problem("received_by", "Required.", "Enter the name of the person who received the parcel."))
    return problems


def handover_problems(*, status: str, by_person: bool, with_proof: bool) -> list[Problem]:
    """A person hands a parcel over (HANDOVER_STATUSES) only with a proof: on the
    delivery page or with the API's proof fields, never in a scan or a bulk move."""
    if status not in HANDOVER_STATUSES or not by_person or with_proof:
        return []
    sentence = f"“{Status(status).label}” is recorded one parcel at a time, with the receiver's name and signature."
    return [Problem("status", "Recorded with a proof.", sentence, code="proof_required")]


# A delay moves nothing: the ETA watch may still record one for a parcel in a bag.
MAY_HAPPEN_WHILE_HELD = frozenset({Status.DELAYED})


def hold_problems(*, tracking_number: str, status: str, hold: str) -> list[Problem]:
    """A parcel held by something (``hold``: "bag <S9>", see ``shipments.holds``) moves
    only with it: every step but a delay is refused until the bag is received."""
    if not hold or status in MAY_HAPPEN_WHILE_HELD:
        return []
    return [
        Problem(
            "package",
            f"In {hold}.",
            f"{tracking_number} is in {hold}: it moves with its bag until the bag is received.",
            code="in_bag",
        )
    ]


def event_office_problems(
    *,
    status: str,
    office_id: int | None,
    origin_office_id: int,
    destination_office_id: int,
    current_office_id: int | None,
    returning: bool = False,
) -> list[Problem]:
    """A step that happens at an office names one, and the right one: accepted
    at the origin, ready for pickup at the destination (at the origin on the
    way back), handed back to the sender at the origin, every other physical
    step at the office that holds the parcel (arrivals at any office)."""
    if office_id is None:
        if status in _NEEDS_OFFICE:
            label = Status(status).label.lower()
            return [Problem("office", "Required.", f"Say at which office the package is {label}.")]
        return []
    if status == Status.ACCEPTED and office_id != origin_office_id:
        return [Problem("office", "Not the origin office.", "A package is accepted only at its origin office.")]
    if status == Status.READY_FOR_PICKUP and office_id != (origin_office_id if returning else destination_office_id):
        where, whom = ("origin", "its sender") if returning else ("destination", "pickup")
        return [
            Problem("office", f"Not the {where} office.", f"A package waits for {whom} only at its {where} office.")
        ]
    if status == Status.RETURNED and office_id != origin_office_id:
        return [
            Problem("office", "Not the origin office.", "A parcel is handed back to its sender at its origin office.")
        ]
    if status in AT_PARCEL and office_id != current_office_id:
        label = Status(status).label
        if current_office_id is None:
            sentence = f"The parcel is in transit: record its arrival at an office before “{label}”."
        else:
            sentence = f"The parcel is at another office: “{label}” is recorded where the parcel is."
        return [Problem("office", "Not where the parcel is.", sentence)]
    return []
