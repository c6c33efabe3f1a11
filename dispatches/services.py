"""Writes of bags at their origin office: open one, scan parcels into it, take
one out, close it (S9 identifier, weight, seal). Dispatching, receiving and
checking are ``dispatches.movements``.

Each function checks its ``actor`` through ``offices.access`` (None is the
system) and the rules of ``dispatches.rules``; a bag's row is locked by every
write to it, so a parcel being added while the bag closes is in it or not.
"""

import zoneinfo
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone

from offices import access
from offices.models import Office
from shipments.exceptions import InvalidTrackingNumber, OfficeNotAllowed, PackageNotFound, ShipmentError
from shipments.models import Package
from shipments.statuses import heading_to
from shipments.tracking_numbers import normalize_tracking_number

from .identifiers import s8, s9
from .models import Bag, BagEvent, BagItem, Dispatch, DispatchSerial
from .rules import (
    BagConflict,
    bag_close_problems,
    bag_open_problems,
    bag_weight,
    parcel_bag_problems,
    refuse_bag,
    via_note,
)
from .selectors import bag_holds


def _may_build(actor: User | None, office: Office, what: str) -> None:
    if actor is not None and not access.may_act_at(actor, office):
        raise OfficeNotAllowed(
            f"You do not work at {office.code}, so you cannot {what} there.",
            details={"origin_office": "Not one of your offices."},
        )


def _event(kind: str, *, office: Office, actor: User | None, bag: Bag | None = None, **fields: Any) -> BagEvent:
    return BagEvent.objects.create(kind=kind, office=office, actor=actor, bag=bag, **fields)


@transaction.atomic
def bag_open(*, actor: User | None, origin_office: Office, destination_office: Office, category: str) -> Bag:
    """Open a bag at ``origin_office`` for ``destination_office`` in ``category`` (A or C)."""
    _may_build(actor, origin_office, "open bags")
    refuse_bag(
        bag_open_problems(
            origin_office_id=origin_office.pk,
            destination_office_id=destination_office.pk,
            destination_active=destination_office.is_active,
            origin_exchange_code=origin_office.exchange_code,
            destination_exchange_code=destination_office.exchange_code,
            category=category,
        ),
        "This bag cannot be opened.",
    )
    bag = Bag.objects.create(origin_office=origin_office, destination_office=destination_office, category=category)
    _event(BagEvent.Kind.OPENED, office=origin_office, actor=actor, bag=bag)
    return bag


def _locked(bag: Bag) -> Bag:
    """The bag's row, locked, with its state as it is now (another clerk may just have closed it)."""
    return (
        Bag.objects.select_for_update(of=("self",)).select_related("origin_office", "destination_office").get(pk=bag.pk)
    )


@transaction.atomic
def bag_add_parcel(*, actor: User | None, bag: Bag, package: Package) -> BagItem:
    """Put ``package`` into the open ``bag`` (rules.parcel_bag_problems). The bag and
    the package rows are locked, in that order: two clerks adding the same parcel
    to two bags are applied one after the other, and the second is refused."""
    locked = _locked(bag)
    _may_build(actor, locked.origin_office, "fill bags")
    parcel = (
        Package.objects.select_for_update(of=("self",))
        .select_related("destination_office")
        .only(
            "pk",
            "tracking_number",
            "status",
            "current_office_id",
            "service",
            "returning",
            "origin_office_id",
            "destination_office__code",
        )
        .get(pk=package.pk)
    )
    hold = bag_holds([parcel.pk]).get(parcel.pk, "")
    refuse_bag(
        parcel_bag_problems(
            tracking_number=parcel.tracking_number,
            status=parcel.status,
            current_office_id=parcel.current_office_id,
            destination_office_id=parcel.destination_office_id,
            service=parcel.service,
            hold=hold,
            bag_state=locked.state,
            bag_origin_office_id=locked.origin_office_id,
            bag_category=locked.category,
        )
    )
    note = via_note(
        # On its way back a parcel's destination is its origin (statuses.heading_to).
        package_destination_id=heading_to(
            origin_office_id=parcel.origin_office_id,
            destination_office_id=parcel.destination_office_id,
            returning=parcel.returning,
        ),
        bag_destination_office_id=locked.destination_office_id,
        bag_destination_code=locked.destination_office.code,
    )
    try:
        with transaction.atomic():
            return BagItem.objects.create(bag=locked, package=parcel, note=note, added_by=actor)
    except IntegrityError:
        # The constraint behind the rule: another bag took it a moment ago.
        raise BagConflict(f"{parcel.tracking_number} is already in another bag.", code="in_bag") from None


@dataclass
class AddResult:
    """What happened to one scanned number: added, refused or repeated."""

    tracking_number: str
    outcome: str
    message: str


def bag_add_parcels(*, actor: User | None, bag: Bag, lines: list[str]) -> list[AddResult]:
    """Scan parcels into a bag, each on its own (one refusal never stops the others);
    one result per line, in order. Only packages the actor can see are found."""
    _may_build(actor, bag.origin_office, "fill bags")
    if Bag.objects.filter(pk=bag.pk).values_list("state", flat=True).first() != Bag.State.OPEN:
        raise BagConflict("This bag is closed: nothing more goes in.", code="bag_not_open")
    numbers: list[tuple[str, str]] = []
    for line in lines:
        try:
            numbers.append((normalize_tracking_number(line), ""))
        except InvalidTrackingNumber as error:
            numbers.append((line.strip(), error.message))
    wanted = {number for number, problem in numbers if not problem}
    visible = access.restrict(Package.objects.all(), actor).filter(tracking_number__in=wanted) if actor else None
    packages = {
        package.tracking_number: package
        for package in (visible if visible is not None else Package.objects.filter(tracking_number__in=wanted)).only(
            "pk", "tracking_number"
        )
    }
    already = set(
        BagItem.objects.filter(bag=bag, package__tracking_number__in=wanted).values_list(
            "package__tracking_number", flat=True
        )
    )
    results, seen = [], set()
    for number, problem in numbers:
        if problem:
            results.append(AddResult(number, "refused", problem))
        elif number in seen or number in already:
            results.append(AddResult(number, "repeated", "Already in this bag; counted once."))
        elif number not in packages:
            seen.add(number)
            results.append(AddResult(number, "refused", "Unknown, or not one of the packages you can see."))
        else:
            seen.add(number)
            try:
                item = bag_add_parcel(actor=actor, bag=bag, package=packages[number])
            except ShipmentError as error:
                results.append(AddResult(number, "refused", error.message))
            else:
                results.append(AddResult(number, "added", f"Added ({item.note})." if item.note else "Added."))
    return results


@transaction.atomic
def bag_remove_parcel(*, actor: User | None, bag: Bag, tracking_number: str) -> None:
    """Take a parcel out of an open bag."""
    locked = _locked(bag)
    _may_build(actor, locked.origin_office, "empty bags")
    if locked.state != Bag.State.OPEN:
        raise BagConflict("This bag is closed: its contents are frozen.", code="bag_not_open")
    deleted, _ = BagItem.objects.filter(bag=locked, package__tracking_number=tracking_number).delete()
    if not deleted:
        raise PackageNotFound(f"{tracking_number} is not in this bag.")


def _year(office: Office) -> int:
    return timezone.localtime(timezone.now(), zoneinfo.ZoneInfo(office.time_zone)).year


def _forming_dispatch(bag: Bag, actor: User | None) -> Dispatch:
    """The dispatch the closing bag joins: the one forming on its route and
    category, or a new one whose serial is drawn now. The route's serial row is
    locked first, so bags closing at once on one route queue here."""
    year = _year(bag.origin_office)
    route: dict[str, Any] = {
        "origin_office": bag.origin_office,
        "destination_office": bag.destination_office,
        "category": bag.category,
    }
    serial, _ = DispatchSerial.objects.get_or_create(**route, year=year)
    serial = DispatchSerial.objects.select_for_update().get(pk=serial.pk)
    forming = Dispatch.objects.select_for_update().filter(**route, state=Dispatch.State.FORMING).first()
    if forming is not None:
        return forming
    if serial.last >= 9999:
        raise ShipmentError("Every dispatch serial of this route and year is used.", code="serials_exhausted")
    serial.last += 1
    serial.save(update_fields=["last"])
    dispatch = Dispatch.objects.create(
        **route,
        identifier=s8(
            origin=bag.origin_office.exchange_code or "",
            destination=bag.destination_office.exchange_code or "",
            category=bag.category,
            year_digit=year % 10,
            dispatch_serial=serial.last,
        ),
    )
    _event(BagEvent.Kind.OPENED, office=bag.origin_office, actor=actor, dispatch=dispatch)
    return dispatch


@transaction.atomic
def bag_close(*, actor: User | None, bag: Bag, weight_kg: object, seal: str) -> Bag:
    """Close an open bag with its gross weight and seal: it joins its route's
    forming dispatch and gets its S9 identifier; its contents are frozen."""
    locked = _locked(bag)
    _may_build(actor, locked.origin_office, "close bags")
    items = list(BagItem.objects.filter(bag=locked).select_related("package").only("package__declared_value"))
    refuse_bag(
        bag_close_problems(state=locked.state, parcel_count=len(items), weight_kg=weight_kg, seal=seal),
        "This bag cannot be closed.",
    )
    weight = bag_weight(weight_kg) or Decimal(0)  # read and checked by the rule above
    dispatch = _forming_dispatch(locked, actor)
    receptacle = dispatch.bags.count() + 1
    if receptacle > 999:
        raise ShipmentError("This dispatch has 999 bags: dispatch it before closing another.", code="dispatch_full")
    registered = any(item.package.declared_value > Decimal(0) for item in items)
    locked.identifier = s9(
        origin=dispatch.identifier[0:6],
        destination=dispatch.identifier[6:12],
        category=dispatch.category,
        year_digit=int(dispatch.identifier[15]),
        dispatch_serial=int(dispatch.identifier[16:20]),
        receptacle_serial=receptacle,
        registered=registered,
        weight_kg=weight,
    )
    locked.state, locked.dispatch, locked.weight_kg = Bag.State.CLOSED, dispatch, weight
    locked.seal, locked.registered = seal.strip(), registered
    locked.save(update_fields=["identifier", "state", "dispatch", "weight_kg", "seal", "registered"])
    _event(BagEvent.Kind.CLOSED, office=locked.origin_office, actor=actor, bag=locked, note=f"seal {locked.seal}")
    return locked
