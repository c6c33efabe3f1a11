"""Every write to packages goes through here: registering at the counter,
recording a tracking event, setting tariffs and allocating tracking numbers.
Batches of steps (a scan, a bulk move) are ``shipments.batches``, one
``package_record_event`` per package.

The admin, the API, import commands and scheduled jobs call these functions;
``package_record_event`` is the one place a status transition is applied. The
rules they check are ``shipments.rules`` (over plain values), the prices
``shipments.pricing``, the rights ``offices.access``.
"""

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from offices import access
from offices.models import Location, Office

from .charges import return_charge
from .exceptions import IllegalTransition, OfficeNotAllowed, ShipmentError
from .guards import after_step, step_guard_problems
from .holds import holds_of
from .models import Charge, Package, Tariff, TrackingEvent
from .pricing import PriceList
from .rules import (
    network_start,
    party_problems,
    phone_e164,
    refuse,
    registered_text,
    time_problems,
)
from .serials import next_tracking_number
from .statuses import Status, allowed_next, can_follow, effect_of, return_follows
from .step_rules import event_detail_problems, event_office_problems, handover_problems, hold_problems
from .values import Address, Parcel, Party

TARIFF_FIELDS = (
    "transit_days",
    "currency",
    "base_fee",
    "per_kg",
    "per_km",
    "insurance_rate",
    "surcharge_rate",
    "tax_rate",
    "return_fee",
    "cod_fee",
)


@transaction.atomic
def tariff_upsert(*, actor: User | None, service: str, **prices: Any) -> tuple[Tariff, bool, bool]:
    """Set the price list of ``service`` (the fields of TARIFF_FIELDS). HQ's (or
    the system's) only; registered packages keep the cost they were quoted.
    Returns (tariff, created, changed)."""
    if actor is not None and not access.may_edit_network(actor):
        raise PermissionDenied("Only HQ sets the tariffs.")
    unknown = set(prices) - set(TARIFF_FIELDS)
    if unknown:
        raise ValueError(f"Not tariff fields: {', '.join(sorted(unknown))}.")
    tariff = Tariff.objects.select_for_update().filter(service=service).first()
    created = tariff is None
    if tariff is None:
        tariff = Tariff(service=service)
    changed = created
    for field, value in prices.items():
        if getattr(tariff, field) != value:
            setattr(tariff, field, value)
            changed = True
    if changed:
        tariff.full_clean()
        tariff.save()
    return tariff, created, changed


def _location_from(address: Address) -> Location:
    return Location(
        line1=registered_text(address.line1),
        line2=registered_text(address.line2),
        city=registered_text(address.city),
        region=registered_text(address.region),
        postal_code=registered_text(address.postal_code),
        country=address.country.strip().upper(),
    )


@transaction.atomic
def package_register(
    *,
    actor: User | None,
    parcel: Parcel,
    sender: Party,
    receiver: Party,
    accept: bool = False,
    registered_at: datetime | None = None,
    source: str = TrackingEvent.Source.COUNTER,
    price_list: PriceList | None = None,
    collection_code_requested: bool = False,
) -> Package:
    """Register a parcel: quote and freeze its cost, charge it, record ``created``
    (and ``accepted`` right away when the parcel is handed over at the counter).

    ``actor`` is the clerk (None for system jobs such as imports); a clerk may
    register only at an office they work at.
    """
    origin_office = parcel.origin_office
    if actor is not None and not access.may_act_at(actor, origin_office):
        raise OfficeNotAllowed(
            f"You do not work at {origin_office.code}, so you cannot register parcels there.",
            details={"origin_office": "Not one of your offices."},
        )
    price_list = price_list or PriceList.load()
    now = timezone.now()
    registered_at = registered_at or now
    # Every problem at once, the parties' and the parcel's: not one and then the other.
    problems = (
        party_problems("sender", sender)
        + party_problems("receiver", receiver)
        + time_problems("registered_at", registered_at, now=now, start=network_start(), what="A registration")
    )
    parcel_problems = price_list.problems(parcel)
    summary = {
        (True, False): "Please correct the sender and receiver details.",
        (False, True): "Please correct the parcel details.",
    }.get((bool(problems), bool(parcel_problems)), "Please correct the parcel, sender and receiver details.")
    refuse(problems + parcel_problems, summary)
    cost = price_list.quote(parcel)
    sender_address, receiver_address = Location.objects.bulk_create(
        [_location_from(sender.address), _location_from(receiver.address)]
    )
    package = Package.objects.create(
        tracking_number=next_tracking_number(parcel.service),
        sender_name=registered_text(sender.name),
        sender_phone=phone_e164(sender.phone, sender.address.country) or "",
        sender_email=sender.email.strip(),
        sender_address=sender_address,
        sender_notify_sms=sender.notify_sms,
        sender_notify_email=sender.notify_email,
        receiver_name=registered_text(receiver.name),
        receiver_phone=phone_e164(receiver.phone, receiver.address.country) or "",
        receiver_email=receiver.email.strip(),
        receiver_address=receiver_address,
        receiver_notify_sms=receiver.notify_sms,
        receiver_notify_email=receiver.notify_email,
        origin_office=origin_office,
        current_office=origin_office,
        destination_office=parcel.destination_office,
        service=parcel.service,
        weight_grams=parcel.weight_grams,
        length_cm=parcel.length_cm,
        width_cm=parcel.width_cm,
        height_cm=parcel.height_cm,
        declared_value=Decimal(parcel.declared_value),
        currency=cost.currency,
        collection_code_requested=collection_code_requested,
        chargeable_weight_grams=cost.chargeable_weight_grams,
        distance_km=cost.distance_km,
        cost_base=cost.base,
        cost_weight=cost.weight,
        cost_distance=cost.distance,
        cost_insurance=cost.insurance,
        cost_surcharges=cost.surcharges,
        cost_tax=cost.tax,
        cost_total=cost.total,
        cost_currency=cost.currency,
        transit_days=cost.transit_days,
        status=Status.CREATED,
        created_at=registered_at,
        created_by=actor,
    )
    _charge(package, kind=Charge.Kind.SHIPPING, charged_at=registered_at)
    TrackingEvent.objects.create(
        package=package,
        status=Status.CREATED,
        office=origin_office,
        occurred_at=registered_at,
        recorded_by=actor,
        source=source,
    )
    if accept:
        package_record_event(
            package=package,
            status=Status.ACCEPTED,
            office=origin_office,
            actor=actor,
            occurred_at=registered_at,
            source=source,
        )
    return package


@transaction.atomic
def package_record_event(
    *,
    package: Package,
    status: str,
    office: Office | None = None,
    actor: User | None = None,
    occurred_at: datetime | None = None,
    source: str = TrackingEvent.Source.COUNTER,
    note: str = "",
    reason: str = "",
    received_by: str = "",
    external_id: str | None = None,
    with_proof: bool = False,
) -> TrackingEvent:
    """Move a package to ``status`` by appending a tracking event.

    Locks the package row, so two clerks scanning the same parcel at once are
    applied one after the other; the second sees the first's status and is
    refused if its transition no longer applies. ``office`` defaults to the
    package's current office (where an ``in_transit`` leg departs from).
    ``actor`` None means the system; a clerk may act only at their offices.
    A person records a handover (HANDOVER_STATUSES) only ``with_proof``: through
    ``handover.services.package_hand_over``, which records the proof with it.
    """
    if external_id:
        existing = TrackingEvent.objects.filter(external_id=external_id).select_related("package").first()
        if existing is not None:
            if existing.package_id != package.pk:
                raise ShipmentError(
                    f"Event {external_id} was already recorded for another package.", code="duplicate_external_id"
                )
            return existing

    locked = Package.objects.select_for_update().get(pk=package.pk)
    if status not in Status.values:
        raise ShipmentError(f"Unknown status “{status}”.", details={"status": "Unknown status."})
    # Checked under the package's lock (a bag's dispatch locks its parcels too), and first:
    # a parcel in a bag moves with it, whatever its bag did to its status a moment ago.
    refuse(
        hold_problems(
            tracking_number=locked.tracking_number, status=status, hold=holds_of([locked.pk]).get(locked.pk, "")
        ),
        error=IllegalTransition,  # 409: not possible while the bag holds it
    )
    returning = locked.returning
    if not can_follow(locked.status, status, returning=returning):
        # Labels for the clerk; the codes stay in the details for programs.
        following = ", ".join(Status(value).label for value in allowed_next(locked.status, returning=returning))
        raise IllegalTransition(
            f"{locked.tracking_number} is {Status(locked.status).label.lower()}; "
            f"it cannot become {Status(status).label.lower()}. "
            + (f"Allowed next: {following}." if following else "Its journey is over."),
            details={"current_status": locked.status, "allowed_next": allowed_next(locked.status, returning=returning)},
        )
    if office is None and locked.current_office_id is not None:
        office = locked.current_office
    if actor is not None and office is None and not access.is_hq(actor):
        # A missing field, not a refusal: 400. HQ and the system may leave it out.
        raise ShipmentError(
            "Say at which of your offices this happened: the package is in transit, so there is no default.",
            details={"office": "Required while the package is in transit."},
        )
    if actor is not None and office is not None and not access.may_act_at(actor, office):
        raise OfficeNotAllowed(
            f"You do not work at {office.code}, so you cannot record events there.",
            details={"office": "Not one of your offices."},
        )
    refuse(
        event_office_problems(
            status=status,
            office_id=office.pk if office else None,
            origin_office_id=locked.origin_office_id,
            destination_office_id=locked.destination_office_id,
            current_office_id=locked.current_office_id,
            returning=returning,
        )
        + event_detail_problems(status=status, reason=reason, received_by=received_by)
    )
    refuse(handover_problems(status=status, by_person=actor is not None, with_proof=with_proof))
    # Other apps' conditions on a step (shipments.guards: the counter's money), also under the lock.
    refuse(step_guard_problems(locked, status, office), error=IllegalTransition)

    now = timezone.now()
    occurred_at = occurred_at or now
    refuse(time_problems("occurred_at", occurred_at, now=now, start=network_start(), what="An event"))
    last_at = locked.events.order_by("-occurred_at").values_list("occurred_at", flat=True).first()
    if last_at is not None and occurred_at < last_at:
        raise ShipmentError(
            f"The last event of {locked.tracking_number} happened at {last_at:%Y-%m-%d %H:%M} UTC; "
            "a new one cannot be earlier.",
            details={"occurred_at": "Earlier than the last event."},
        )

    try:
        with transaction.atomic():
            event = TrackingEvent.objects.create(
                package=locked,
                status=status,
                office=office,
                occurred_at=occurred_at,
                recorded_by=actor,
                source=source,
                note=note.strip(),
                reason=reason,
                received_by=received_by.strip(),
                external_id=external_id or None,
            )
    except IntegrityError:
        # Another import run recorded the same external event a moment ago.
        return TrackingEvent.objects.get(external_id=external_id)

    changes = effect_of(
        status,
        office_id=office.pk if office else None,
        occurred_at=occurred_at,
        transit_days=locked.transit_days,
        received_by=event.received_by,
        reason=reason,
        returning=returning,
        holding_days=office.holding_days if office else None,
    )
    for field, value in changes.items():
        setattr(locked, field, value)
    if "current_office_id" in changes:
        locked.current_office = office if changes["current_office_id"] is not None else None
    locked.save(update_fields=[*changes, "updated_at"])
    if status == Status.CANCELLED:
        # Cancelling before acceptance gives the whole price back. The refund is dated when it is
        # recorded, not when the cancellation happened (the event says that): a late recording
        # never changes a month whose report is closed.
        _charge(locked, kind=Charge.Kind.REFUND, charged_at=now)
    elif status == Status.RETURN_STARTED:
        return_charge(locked, charged_at=now)  # the tariff's return fee, dated as a refund is
    after_step(locked, status)
    failed = locked.events.filter(status=Status.DELIVERY_FAILED).count() if status == Status.DELIVERY_FAILED else 0
    if follow := return_follows(status=status, reason=reason, failed_deliveries=failed, returning=returning):
        # A refusal or the third failed delivery sends the parcel back, in the same transaction.
        package_record_event(
            package=locked, status=Status.RETURN_STARTED, office=office, occurred_at=occurred_at, reason=follow,
            source=TrackingEvent.Source.SYSTEM,
        )  # fmt: skip
        changes |= {"returning": True, "holding_until": None}  # mirrored on the caller's package below

    for field in changes:
        setattr(package, field, getattr(locked, field))
    if "current_office_id" in changes:
        package.current_office = locked.current_office
    package.updated_at = locked.updated_at
    event.package = package
    return event


def _charge(package: Package, *, kind: str, charged_at: datetime) -> Charge:
    """An immutable money record of the package's frozen cost; refunds are negative."""
    sign = -1 if kind == Charge.Kind.REFUND else 1
    return Charge.objects.create(
        package=package,
        kind=kind,
        office_id=package.origin_office_id,
        destination_office_id=package.destination_office_id,
        service=package.service,
        base=sign * package.cost_base,
        weight=sign * package.cost_weight,
        distance=sign * package.cost_distance,
        insurance=sign * package.cost_insurance,
        surcharges=sign * package.cost_surcharges,
        tax=sign * package.cost_tax,
        total=sign * package.cost_total,
        currency=package.cost_currency,
        charged_at=charged_at,
    )
