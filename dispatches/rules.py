"""The rules of bags over plain values: each returns every problem it finds and
touches no database (as ``shipments.rules``, whose ``Problem`` and ``refuse``
they use). ``dispatches.services`` loads the values, calls these and refuses.

They live with the app rather than in ``shipments/rules.py``: they are the
bags' own, and that module is the parcels'."""

from decimal import Decimal, InvalidOperation
from typing import Any

from shipments.exceptions import ShipmentError
from shipments.rules import Problem, refuse
from shipments.statuses import FINAL_STATUSES, ON_HAND, Status

from .identifiers import MAX_WEIGHT_KG, MIN_WEIGHT_KG
from .models import CATEGORY_OF_SERVICE, Bag, Category

MAX_SEAL_LENGTH = 40
# Refusals about the state of a bag or parcel (HTTP 409), not about the input.
CONFLICTS = frozenset({"bag_not_open", "bag_not_closed", "bag_not_dispatched", "wrong_office", "in_bag", "not_on_hand"})


class BagConflict(ShipmentError):
    """Not possible in the bag's (or parcel's) current state."""

    code = "conflict"
    http_status = 409


def refuse_bag(problems: list[Problem], summary: str = "") -> None:
    """``shipments.rules.refuse``, as a 409 when the first problem is about a state."""
    refuse(problems, summary, BagConflict if problems and problems[0].code in CONFLICTS else ShipmentError)


def bag_open_problems(
    *,
    origin_office_id: int,
    destination_office_id: int,
    destination_active: bool,
    origin_exchange_code: str | None,
    destination_exchange_code: str | None,
    category: str,
) -> list[Problem]:
    """A bag goes from an office to another open office of exchange, in one category."""
    problems = []
    if category not in Category.values:
        problems.append(Problem("category", "Use A (priority: express, overnight) or C (standard)."))
    if destination_office_id == origin_office_id:
        problems.append(
            Problem("destination_office", "Not the bag's own office.", "A bag goes to another office, not its own.")
        )
    elif not destination_active:
        problems.append(
            Problem(
                "destination_office", "This office is closed.", "The destination office is closed: no bags go there."
            )
        )
    for field, code in (("origin_office", origin_exchange_code), ("destination_office", destination_exchange_code)):
        if not code:
            problems.append(
                Problem(field, "No exchange code.", "Both offices need an exchange code (set by HQ) for bag labels.")
            )
    return problems


def parcel_bag_problems(
    *,
    tracking_number: str,
    status: str,
    current_office_id: int | None,
    destination_office_id: int,
    service: str,
    hold: str,
    bag_state: str,
    bag_origin_office_id: int,
    bag_category: str,
) -> list[Problem]:
    """Whether a parcel may go into a bag: the bag is open, the parcel is on
    hand at the bag's origin, in no other bag that is not received, of a
    service of the bag's category and not in a final status."""
    problems = []
    if bag_state != Bag.State.OPEN:
        return [Problem("bag", "Not open.", "This bag is closed: nothing more goes in.", code="bag_not_open")]
    if status in FINAL_STATUSES:
        label = Status(status).label.lower()
        problems.append(Problem("tracking_number", f"{label}.", f"{tracking_number} is {label}: its journey is over."))
    elif current_office_id != bag_origin_office_id or status not in ON_HAND:
        problems.append(
            Problem(
                "tracking_number",
                "Not on hand here.",
                f"{tracking_number} is not on hand at the bag's office.",
                code="not_on_hand",
            )
        )
    if hold:
        problems.append(
            Problem("tracking_number", f"In {hold}.", f"{tracking_number} is already in {hold}.", code="in_bag")
        )
    if CATEGORY_OF_SERVICE.get(service) != bag_category:
        wanted = CATEGORY_OF_SERVICE.get(service, "?")
        problems.append(
            Problem(
                "tracking_number",
                "Another category.",
                f"{tracking_number} is {service}: it goes in a category {wanted} bag, not {bag_category}.",
                code="wrong_category",
            )
        )
    return problems


def via_note(*, package_destination_id: int, bag_destination_office_id: int, bag_destination_code: str) -> str:
    """The note of a parcel going further than the bag's destination ("via BOS01")."""
    if package_destination_id == bag_destination_office_id:
        return ""
    return f"via {bag_destination_code}"


def bag_weight(text: Any) -> Decimal | None:
    """A bag's gross weight read from input (kg, one decimal, 0.1–999.8), or None."""
    try:
        weight = Decimal(str(text).strip())
    except (InvalidOperation, ValueError):
        return None
    if not weight.is_finite() or weight != weight.quantize(Decimal("0.1")):
        return None
    return weight if MIN_WEIGHT_KG <= weight <= MAX_WEIGHT_KG else None


def bag_close_problems(*, state: str, parcel_count: int, weight_kg: Any, seal: str) -> list[Problem]:
    """An open bag with parcels in it closes with its weight and a seal number."""
    if state != Bag.State.OPEN:
        return [Problem("bag", "Not open.", "This bag is already closed.", code="bag_not_open")]
    problems = []
    if parcel_count == 0:
        problems.append(Problem("bag", "Empty.", "An empty bag cannot be closed.", code="bag_empty"))
    if bag_weight(weight_kg) is None:
        problems.append(Problem("weight_kg", "Give the gross weight in kg with one decimal, 0.1–999.8."))
    if not seal.strip():
        problems.append(Problem("seal", "Enter the seal number."))
    elif len(seal.strip()) > MAX_SEAL_LENGTH:
        problems.append(Problem("seal", f"At most {MAX_SEAL_LENGTH} characters."))
    return problems


def dispatch_problems(bags: list[dict[str, Any]], others_closed: list[str]) -> list[Problem]:
    """Bags dispatched together: at least one, all closed, all of one dispatch
    (the same S8: one origin, destination and category), and every closed bag
    of that dispatch among them (``others_closed``: the S9s left out)."""
    if not bags:
        return [Problem("bags", "Choose at least one closed bag.")]
    problems = []
    not_closed = [bag["key"] for bag in bags if bag["state"] != Bag.State.CLOSED]
    if not_closed:
        problems.append(
            Problem(
                "bags", "Not closed.", f"Only closed bags are dispatched: {', '.join(not_closed)}.", "bag_not_closed"
            )
        )
    dispatches = {bag["dispatch"] for bag in bags if bag["dispatch"]}
    if len(dispatches) > 1:
        problems.append(
            Problem(
                "bags",
                "Different dispatches.",
                "These bags belong to different dispatches (another destination or category): "
                "dispatch each group on its own.",
            )
        )
    elif others_closed:
        problems.append(
            Problem(
                "bags",
                "Bags left out.",
                f"Bags {', '.join(others_closed)} are closed for the same dispatch: dispatch them together.",
            )
        )
    return problems


def receive_problems(
    *, state: str, identifier: str, destination_office_id: int, destination_code: str, office_id: int
) -> list[Problem]:
    """A dispatched bag is received at its destination office only."""
    if state in (Bag.State.OPEN, Bag.State.CLOSED):
        return [
            Problem("bag", "Not dispatched.", f"Bag {identifier} has not been dispatched yet.", "bag_not_dispatched")
        ]
    if office_id != destination_office_id:
        return [
            Problem(
                "office",
                "Not this bag's destination.",
                f"Bag {identifier} is going to {destination_code}, not here.",
                code="wrong_office",
            )
        ]
    return []
