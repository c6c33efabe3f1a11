"""A closed bag moved as one: dispatching bags (every parcel ``in_transit``),
receiving one at its destination (every parcel ``arrived``) and checking what
was found in it against its list (missing parcels ``delayed``, extra ones
``arrived``).

The parcels' events are written set-based, through the import's bulk path
(``shipments.imports.events.write_events``: one COPY, one INSERT, one UPDATE),
with their outbox rows in the same transaction (``enqueue_notifications``),
never a loop over ``package_record_event``. The package rows are locked first
(``FOR UPDATE``, in id order), as ``package_record_event`` locks one, and the
same transition rules are checked, with the step guards and after-step
hooks of other apps (``shipments.guards``) for the parcels they concern."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.db import connection, transaction
from django.utils import timezone

from notifications.muting import is_muted
from offices import access
from offices.models import Office
from shipments.exceptions import InvalidTrackingNumber, OfficeNotAllowed, ShipmentError
from shipments.guards import after_steps, concerned_packages, step_guard_problems
from shipments.imports.events import enqueue_notifications, lock_packages, write_events
from shipments.models import Package, TrackingEvent
from shipments.rules import Problem
from shipments.statuses import Reason, Status, can_follow, effect_of
from shipments.step_rules import event_office_problems
from shipments.tracking_numbers import normalize_tracking_number

from .models import Bag, BagEvent, BagItem, Discrepancy, Dispatch
from .rules import BagConflict, bag_weight, dispatch_problems, receive_problems, refuse_bag


def _lock_packages(package_ids: list[int]) -> dict[int, dict[str, Any]]:
    """The packages' rows, locked in id order, with the time of each one's last event, and
    as ``guarded`` the package another app's step guards concern (a counter parcel; else None)."""
    with connection.cursor() as cursor:
        packages = {package["id"]: package for package in lock_packages(cursor, ids=package_ids)}
    guarded = concerned_packages(packages)  # one query for the bags' parcels
    for package in packages.values():
        package["guarded"] = guarded.get(package["id"])
    return packages


@dataclass
class _Steps:
    """Events to write at once: rows of ``EVENT_COLUMNS`` and the packages they change."""

    events: list[tuple[Any, ...]] = field(default_factory=list)
    packages: list[dict[str, Any]] = field(default_factory=list)

    def add(
        self, package: dict[str, Any], status: str, office_id: int, now: datetime, note: str, reason: str = ""
    ) -> None:
        occurred_at = max(now, package["last_at"]) if package["last_at"] else now
        package |= effect_of(
            status,
            office_id=office_id,
            occurred_at=occurred_at,
            transit_days=package["transit_days"],
            reason=reason,
            returning=package["returning"],
        )
        self.events.append((package["id"], status, office_id, occurred_at, note, reason, "", None))
        self.packages.append(package)

    def write(self) -> int:
        if not self.events:
            return 0
        with connection.cursor() as cursor:
            write_events(cursor, self.events, self.packages, source=TrackingEvent.Source.BAG)
        # Other apps' after-step hooks, as package_record_event runs them, for the packages they concern.
        after_steps([(row[0], row[1]) for row in self.events], {p["id"] for p in self.packages if p["guarded"]})
        # Outbox rows in this transaction (the bulk INSERT fires no post_save); the dispatcher delivers them.
        # Muted as the post_save receiver is (the demo's history notifies nobody).
        if is_muted():
            return 0
        return enqueue_notifications([(row[0], row[1], row[3]) for row in self.events])


def _step_problems(package: dict[str, Any], status: str, office: Office) -> list[Problem]:
    if not can_follow(package["status"], status, returning=package["returning"]):
        label = Status(package["status"]).label.lower()
        return [Problem("status", "Not now.", f"{package['tracking_number']} is {label}.", code="illegal_transition")]
    return event_office_problems(
        status=status,
        office_id=office.pk,
        origin_office_id=package["origin_office_id"],
        destination_office_id=package["destination_office_id"],
        current_office_id=package["current_office_id"],
        returning=package["returning"],
    ) or _guard_problems(package, status, office)


def _guard_problems(package: dict[str, Any], status: str, office: Office) -> list[Problem]:
    """Other apps' step guards (``shipments.guards``), for the packages they concern."""
    return step_guard_problems(package["guarded"], status, office) if package["guarded"] is not None else []


def _listed(bags: list[Bag]) -> list[tuple[int, int]]:
    """(bag id, package id) of the parcels on the bags' lists."""
    return list(
        BagItem.objects.filter(bag__in=bags, found_in__isnull=True).values_list("bag_id", "package_id").order_by("id")
    )


@transaction.atomic
def dispatch_bags(*, actor: User | None, bags: list[Bag]) -> Dispatch:
    """Dispatch closed bags together as their one dispatch: every parcel in them
    gets ``in_transit`` from the origin office, naming its bag. Sent twice (a
    double click, a retry), the second finds the dispatch gone and answers it."""

    def described(some: list[Bag]) -> list[dict[str, Any]]:
        return [{"key": bag.key, "state": bag.state, "dispatch": bag.dispatch_id} for bag in some]

    dispatch_ids = {bag.dispatch_id for bag in bags}
    dispatch_id = next(iter(dispatch_ids), None)
    if dispatch_id is None or len(dispatch_ids) > 1:
        refuse_bag(dispatch_problems(described(bags), []))
        raise BagConflict("These bags cannot be dispatched together.")  # the rule above has said why
    dispatch = Dispatch.objects.select_for_update(of=("self",)).select_related("origin_office").get(pk=dispatch_id)
    if dispatch.state == Dispatch.State.DISPATCHED:
        return dispatch  # applied already (a double click, a retry): answer as the first time
    locked = list(Bag.objects.select_for_update().filter(dispatch=dispatch).order_by("pk"))
    wanted = {bag.pk for bag in bags}
    chosen = [bag for bag in locked if bag.pk in wanted]
    others = [bag.key for bag in locked if bag.pk not in wanted and bag.state == Bag.State.CLOSED]
    refuse_bag(dispatch_problems(described(chosen), others))
    origin = dispatch.origin_office
    if actor is not None and not access.may_act_at(actor, origin):
        raise OfficeNotAllowed(f"You do not work at {origin.code}, so you cannot dispatch its bags.")
    now = timezone.now()
    bag_of = {bag.pk: bag for bag in chosen}
    listed = _listed(chosen)
    packages = _lock_packages([package_id for _, package_id in listed])
    steps, problems = _Steps(), []
    for bag_id, package_id in listed:
        package = packages[package_id]
        found = _step_problems(package, Status.IN_TRANSIT, origin)
        if found:
            problems.extend(found)
            continue
        steps.add(package, Status.IN_TRANSIT, origin.pk, now, f"In bag {bag_of[bag_id].identifier}")
    refuse_bag(problems, "Some parcels in these bags cannot leave; take them out of the bags first.")
    steps.write()
    Bag.objects.filter(pk__in=list(bag_of)).update(state=Bag.State.DISPATCHED)
    dispatch.state, dispatch.dispatched_at, dispatch.dispatched_by = Dispatch.State.DISPATCHED, now, actor
    dispatch.save(update_fields=["state", "dispatched_at", "dispatched_by"])
    BagEvent.objects.bulk_create(
        [BagEvent(kind=BagEvent.Kind.DISPATCHED, office=origin, actor=actor, dispatch=dispatch, occurred_at=now)]
        + [
            BagEvent(kind=BagEvent.Kind.DISPATCHED, office=origin, actor=actor, bag=bag, occurred_at=now)
            for bag in chosen
        ]
    )
    return dispatch


def _receiving_office(actor: User | None, bag: Bag, office: Office | None) -> Office:
    if office is not None:
        return office
    if actor is None or access.may_act_at(actor, bag.destination_office):
        return bag.destination_office
    default = access.default_office(actor)
    if default is None:
        raise ShipmentError("Say at which of your offices the bag is received.", details={"office": "Required."})
    return default


@transaction.atomic
def receive_bag(*, actor: User | None, bag: Bag, office: Office | None = None) -> Bag:
    """Receive a dispatched bag at its destination: every parcel on its list gets
    ``arrived`` there and moves on its own again. Sent twice, the second answers the bag."""
    locked = Bag.objects.select_for_update(of=("self",)).select_related("destination_office").get(pk=bag.pk)
    office = _receiving_office(actor, locked, office)
    if actor is not None and not access.may_act_at(actor, office):
        raise OfficeNotAllowed(f"You do not work at {office.code}, so you cannot receive bags there.")
    if locked.state in (Bag.State.RECEIVED, Bag.State.CHECKED) and office.pk == locked.destination_office_id:
        return locked  # applied already
    refuse_bag(
        receive_problems(
            state=locked.state,
            identifier=locked.identifier or str(locked.pk),
            destination_office_id=locked.destination_office_id,
            destination_code=locked.destination_office.code,
            office_id=office.pk,
        )
    )
    now = timezone.now()
    listed = _listed([locked])
    packages = _lock_packages([package_id for _, package_id in listed])
    steps = _Steps()
    for _, package_id in listed:
        package = packages[package_id]
        # An arrival may be recorded at any office; a parcel that cannot arrive (declared lost meanwhile) is left.
        if not _step_problems(package, Status.ARRIVED, office):
            steps.add(package, Status.ARRIVED, office.pk, now, f"From bag {locked.identifier}")
    steps.write()
    BagItem.objects.filter(bag=locked, held=True).update(held=False)
    locked.state = Bag.State.RECEIVED
    locked.save(update_fields=["state"])
    BagEvent.objects.create(kind=BagEvent.Kind.RECEIVED, office=office, actor=actor, bag=locked, occurred_at=now)
    return locked


@dataclass
class CheckResult:
    """What checking a bag found: tracking numbers missing and extra, and its weights."""

    bag: Bag
    missing: list[str]
    extra: list[str]
    declared_kg: Any
    weighed_kg: Any
    notes: dict[str, str] = field(default_factory=dict)


@transaction.atomic
def check_bag(*, actor: User | None, bag: Bag, found: list[str], weight_kg: object = None) -> CheckResult:
    """Compare the parcels found in a received bag with its list. Missing ones get
    ``delayed`` (reason "Missing from bag": on hand nowhere) and a discrepancy;
    extra ones are recorded as arrived here when the rules allow, taken off
    their own bag's list, and noted as a discrepancy of this bag."""
    locked = Bag.objects.select_for_update(of=("self",)).select_related("destination_office").get(pk=bag.pk)
    office = locked.destination_office
    if actor is not None and not access.may_act_at(actor, office):
        raise OfficeNotAllowed(f"You do not work at {office.code}, so you cannot check its bags.")
    if locked.state != Bag.State.RECEIVED:
        message = "This bag was checked already." if locked.state == Bag.State.CHECKED else "Receive the bag first."
        raise BagConflict(message, code="bag_not_received")
    numbers, bad = [], {}
    for line in found:
        try:
            numbers.append(normalize_tracking_number(line))
        except InvalidTrackingNumber as error:
            bad[line] = error.message
    weighed = bag_weight(weight_kg) if weight_kg not in (None, "") else None
    if weight_kg not in (None, "") and weighed is None:
        bad["weight_kg"] = "Give the weight in kg with one decimal, 0.1–999.8."
    if bad:
        raise ShipmentError("Please correct the scanned numbers.", details={"found": bad})
    listed = dict(
        BagItem.objects.filter(bag=locked, found_in__isnull=True).values_list("package__tracking_number", "package_id")
    )
    found_set = list(dict.fromkeys(numbers))
    missing = [number for number in listed if number not in found_set]
    extra_numbers = [number for number in found_set if number not in listed]
    extras = dict(Package.objects.filter(tracking_number__in=extra_numbers).values_list("tracking_number", "id"))
    notes = {number: "Unknown tracking number." for number in extra_numbers if number not in extras}
    packages = _lock_packages([listed[number] for number in missing] + list(extras.values()))
    now, steps = timezone.now(), _Steps()
    discrepancies = []
    for number in missing:
        package = packages[listed[number]]
        at_office = package["current_office_id"] == office.pk
        if (
            can_follow(package["status"], Status.DELAYED)
            and at_office
            and not _guard_problems(package, Status.DELAYED, office)
        ):
            steps.add(
                package,
                Status.DELAYED,
                office.pk,
                now,
                f"Missing from bag {locked.identifier}",
                Reason.MISSING_FROM_BAG,
            )
        discrepancies.append(
            Discrepancy(
                bag=locked,
                package_id=package["id"],
                kind=Discrepancy.Kind.MISSING,
                office=office,
                recorded_by=actor,
                recorded_at=now,
            )
        )
    # An extra parcel is taken off the list of the bag it was in (it travelled in this one).
    BagItem.objects.filter(package_id__in=list(extras.values()), held=True).update(held=False, found_in=locked)
    for number, package_id in extras.items():
        package = packages[package_id]
        problems = _step_problems(package, Status.ARRIVED, office)
        if problems:
            notes[number] = f"Not recorded as arrived: {problems[0].sentence or problems[0].message}"
        else:
            steps.add(package, Status.ARRIVED, office.pk, now, f"Found in bag {locked.identifier}")
            notes[number] = f"Recorded as arrived at {office.code}."
        discrepancies.append(
            Discrepancy(
                bag=locked,
                package_id=package_id,
                kind=Discrepancy.Kind.EXTRA,
                office=office,
                recorded_by=actor,
                recorded_at=now,
                note=notes[number],
            )
        )
    steps.write()
    Discrepancy.objects.bulk_create(discrepancies)
    locked.state, locked.weighed_kg = Bag.State.CHECKED, weighed
    locked.save(update_fields=["state", "weighed_kg"])
    summary = f"{len(missing)} missing, {len(extra_numbers)} extra" if missing or extra_numbers else "as listed"
    BagEvent.objects.create(
        kind=BagEvent.Kind.CHECKED, office=office, actor=actor, bag=locked, occurred_at=now, note=summary
    )
    return CheckResult(locked, missing, extra_numbers, locked.weight_kg, weighed, notes)
