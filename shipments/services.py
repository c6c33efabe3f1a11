"""Every write to packages goes through here: registering at the counter,
recording a tracking event (one, or a scanned batch), and quoting a price.

The admin, the API, import commands and scheduled jobs call these functions;
``package_record_event`` is the one place a status transition is checked.
"""

import math
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from offices import access
from offices.models import Location, Office

from .exceptions import IllegalTransition, InvalidTrackingNumber, OfficeNotAllowed, ShipmentError
from .models import SERVICE_INDICATORS, Charge, Package, Service, Tariff, TrackingEvent
from .statuses import REASON_ALLOWED, REASON_REQUIRED, Reason, Status, allowed_next, can_follow
from .tracking_numbers import is_issuable_serial, make_tracking_number, normalize_tracking_number

CENT = Decimal("0.01")
EARTH_RADIUS_KM = 6371.0088
VOLUMETRIC_DIVISOR_CM3_PER_KG = 5000
# A scanner's clock may run a little ahead of the server's.
CLOCK_SKEW = timedelta(minutes=5)


@dataclass(frozen=True)
class Address:
    line1: str
    city: str
    country: str
    line2: str = ""
    region: str = ""
    postal_code: str = ""


@dataclass(frozen=True)
class Party:
    """A sender or receiver as the counter takes them down."""

    name: str
    address: Address
    phone: str = ""
    email: str = ""
    notify_sms: bool = False
    notify_email: bool = False


@dataclass(frozen=True)
class Quote:
    """A cost breakdown. Money is Decimal, rounded to cents; total is the sum of the parts."""

    base: Decimal
    weight: Decimal
    distance: Decimal
    insurance: Decimal
    surcharges: Decimal
    tax: Decimal
    total: Decimal
    currency: str
    chargeable_weight_grams: int
    distance_km: Decimal
    transit_days: int

    def as_dict(self) -> dict:
        return asdict(self)


def _money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def great_circle_km(origin: Location, destination: Location) -> float:
    """Haversine distance between two located addresses."""
    lat1, lon1, lat2, lon2 = map(
        math.radians,
        (float(origin.latitude), float(origin.longitude), float(destination.latitude), float(destination.longitude)),
    )
    a = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def chargeable_weight_grams(*, weight_grams: int, length_cm: int, width_cm: int, height_cm: int) -> int:
    """max(actual, volumetric) where volumetric kg = L×W×H / 5000 (cm)."""
    volumetric_grams = math.ceil(length_cm * width_cm * height_cm * 1000 / VOLUMETRIC_DIVISOR_CM3_PER_KG)
    return max(weight_grams, volumetric_grams)


def _check_parcel_facts(**facts) -> None:
    errors = {}
    for field in ("weight_grams", "length_cm", "width_cm", "height_cm"):
        value = facts[field]
        if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            errors[field] = "Must be a whole number greater than zero."
    if facts["weight_grams"] and isinstance(facts["weight_grams"], int) and facts["weight_grams"] > 70_000:
        errors["weight_grams"] = "Parcels over 70 kg are freight; we cannot take them at the counter."
    for field in ("length_cm", "width_cm", "height_cm"):
        if isinstance(facts[field], int) and facts[field] > 300:
            errors[field] = "No side may be longer than 300 cm."
    declared_value = facts["declared_value"]
    if not isinstance(declared_value, Decimal) or declared_value < 0 or not declared_value.is_finite():
        errors["declared_value"] = "Must be an amount of zero or more."
    if errors:
        raise ShipmentError("Please correct the parcel details.", code="invalid", details=errors)


def quote(
    *,
    origin_office: Office,
    destination_office: Office,
    service: str,
    weight_grams: int,
    length_cm: int,
    width_cm: int,
    height_cm: int,
    declared_value: Decimal = Decimal("0"),
    currency: str | None = None,
) -> Quote:
    """What sending this parcel costs today. Creates nothing."""
    declared_value = Decimal(declared_value)
    _check_parcel_facts(
        weight_grams=weight_grams,
        length_cm=length_cm,
        width_cm=width_cm,
        height_cm=height_cm,
        declared_value=declared_value,
    )
    if service not in Service.values:
        raise ShipmentError(
            f"Unknown service “{service}”. Choose one of: {', '.join(Service.values)}.",
            details={"service": "Unknown service."},
        )
    try:
        tariff = Tariff.objects.get(service=service)
    except Tariff.DoesNotExist:
        raise ShipmentError(f"There is no tariff for {service} yet; ask HQ to set one.", code="no_tariff") from None
    currency = (currency or tariff.currency).upper()
    if currency != tariff.currency:
        raise ShipmentError(
            f"Declared values are taken in {tariff.currency} only.",
            details={"currency": f"Must be {tariff.currency}."},
        )
    for role, office in (("origin_office", origin_office), ("destination_office", destination_office)):
        if not office.is_active:
            raise ShipmentError(f"Office {office.code} is closed.", details={role: "This office is closed."})
        if office.location.latitude is None or office.location.longitude is None:
            raise ShipmentError(
                f"Office {office.code} has no coordinates, so the distance cannot be priced.",
                code="office_not_located",
                details={role: "This office has no coordinates."},
            )

    chargeable = chargeable_weight_grams(
        weight_grams=weight_grams, length_cm=length_cm, width_cm=width_cm, height_cm=height_cm
    )
    distance_km = Decimal(str(round(great_circle_km(origin_office.location, destination_office.location), 1)))
    base = _money(tariff.base_fee)
    weight = _money(tariff.per_kg * Decimal(chargeable) / 1000)
    distance = _money(tariff.per_km * distance_km)
    insurance = _money(declared_value * tariff.insurance_rate)
    surcharges = _money((base + weight + distance) * tariff.surcharge_rate)
    tax = _money((base + weight + distance + insurance + surcharges) * tariff.tax_rate)
    total = base + weight + distance + insurance + surcharges + tax
    return Quote(
        base=base,
        weight=weight,
        distance=distance,
        insurance=insurance,
        surcharges=surcharges,
        tax=tax,
        total=total,
        currency=tariff.currency,
        chargeable_weight_grams=chargeable,
        distance_km=distance_km,
        transit_days=tariff.transit_days,
    )


def next_tracking_number(service: str) -> str:
    """A fresh tracking number from the database sequence (safe across processes)."""
    with connection.cursor() as cursor:
        while True:
            cursor.execute("SELECT nextval('shipments_tracking_serial')")
            (serial,) = cursor.fetchone()
            if is_issuable_serial(serial % 10**8):
                return make_tracking_number(SERVICE_INDICATORS[service], serial, settings.TRACKING_NUMBER_COUNTRY)


def _location_from(address: Address) -> Location:
    return Location(
        line1=address.line1.strip(),
        line2=address.line2.strip(),
        city=address.city.strip(),
        region=address.region.strip(),
        postal_code=address.postal_code.strip(),
        country=address.country.strip().upper(),
    )


def _check_parties(sender: Party, receiver: Party) -> None:
    errors = {}
    for role, party in (("sender", sender), ("receiver", receiver)):
        if not party.name.strip():
            errors[f"{role}.name"] = "Enter a name."
        if not party.address.line1.strip():
            errors[f"{role}.address.line1"] = "Enter the street address."
        if not party.address.city.strip():
            errors[f"{role}.address.city"] = "Enter the city."
        country = party.address.country.strip().upper()
        if len(country) != 2 or not country.isalpha() or not country.isascii():
            errors[f"{role}.address.country"] = "Use the two-letter ISO country code, e.g. US."
        if party.notify_sms and not party.phone.strip():
            errors[f"{role}.phone"] = "A phone number is needed for SMS notifications."
        if party.notify_email and not party.email.strip():
            errors[f"{role}.email"] = "An email address is needed for email notifications."
    if errors:
        raise ShipmentError("Please correct the sender and receiver details.", details=errors)


@transaction.atomic
def package_register(
    *,
    actor,
    origin_office: Office,
    destination_office: Office,
    service: str,
    weight_grams: int,
    length_cm: int,
    width_cm: int,
    height_cm: int,
    sender: Party,
    receiver: Party,
    declared_value: Decimal = Decimal("0"),
    currency: str | None = None,
    accept: bool = False,
    registered_at: datetime | None = None,
    source: str = TrackingEvent.Source.COUNTER,
) -> Package:
    """Register a parcel: quote and freeze its cost, charge it, record ``created``
    (and ``accepted`` right away when the parcel is handed over at the counter).

    ``actor`` is the clerk (None for system jobs such as imports); a clerk may
    register only at an office they work at.
    """
    if actor is not None and not access.may_act_at(actor, origin_office):
        raise OfficeNotAllowed(
            f"You do not work at {origin_office.code}, so you cannot register parcels there.",
            details={"origin_office": "Not one of your offices."},
        )
    _check_parties(sender, receiver)
    cost = quote(
        origin_office=origin_office,
        destination_office=destination_office,
        service=service,
        weight_grams=weight_grams,
        length_cm=length_cm,
        width_cm=width_cm,
        height_cm=height_cm,
        declared_value=declared_value,
        currency=currency,
    )
    registered_at = registered_at or timezone.now()
    sender_address, receiver_address = Location.objects.bulk_create(
        [_location_from(sender.address), _location_from(receiver.address)]
    )
    package = Package.objects.create(
        tracking_number=next_tracking_number(service),
        sender_name=sender.name.strip(),
        sender_phone=sender.phone.strip(),
        sender_email=sender.email.strip(),
        sender_address=sender_address,
        sender_notify_sms=sender.notify_sms,
        sender_notify_email=sender.notify_email,
        receiver_name=receiver.name.strip(),
        receiver_phone=receiver.phone.strip(),
        receiver_email=receiver.email.strip(),
        receiver_address=receiver_address,
        receiver_notify_sms=receiver.notify_sms,
        receiver_notify_email=receiver.notify_email,
        origin_office=origin_office,
        current_office=origin_office,
        destination_office=destination_office,
        service=service,
        weight_grams=weight_grams,
        length_cm=length_cm,
        width_cm=width_cm,
        height_cm=height_cm,
        declared_value=Decimal(declared_value),
        currency=cost.currency,
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


# Statuses at which the package is physically at the event's office afterwards.
_AT_OFFICE = frozenset(
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


def step_office_id(package: Package, status: str) -> int | None:
    """The one office where ``status`` may be recorded for ``package``, or None
    when any office will do: accepted at the origin, ready for pickup at the
    destination."""
    if status == Status.ACCEPTED:
        return package.origin_office_id
    if status == Status.READY_FOR_PICKUP:
        return package.destination_office_id
    return None


def _check_event_details(
    *, package: Package, status: str, office: Office | None, reason: str, received_by: str
) -> None:
    required_office_id = step_office_id(package, status)
    if office is not None and required_office_id not in (None, office.pk):
        if status == Status.ACCEPTED:
            raise ShipmentError(
                "A package is accepted only at its origin office.", details={"office": "Not the origin office."}
            )
        raise ShipmentError(
            "A package waits for pickup only at its destination office.",
            details={"office": "Not the destination office."},
        )
    if status in _AT_OFFICE | {Status.IN_TRANSIT} and office is None:
        raise ShipmentError(
            f"Say at which office the package is {Status(status).label.lower()}.", details={"office": "Required."}
        )
    if status in REASON_REQUIRED and not reason:
        raise ShipmentError(
            f"Pick a reason for “{Status(status).label}”.", details={"reason": "Required for this status."}
        )
    if reason and reason not in Reason.values:
        raise ShipmentError(
            f"Unknown reason “{reason}”. Choose one of: {', '.join(Reason.values)}.",
            details={"reason": "Unknown reason."},
        )
    if reason and status not in REASON_ALLOWED:
        raise ShipmentError(
            f"“{Status(status).label}” takes no reason.", details={"reason": "Not used for this status."}
        )
    if status == Status.DELIVERED and not received_by.strip():
        raise ShipmentError(
            "Enter the name of the person who received the package.", details={"received_by": "Required."}
        )


@transaction.atomic
def package_record_event(
    *,
    package: Package,
    status: str,
    office: Office | None = None,
    actor=None,
    occurred_at: datetime | None = None,
    source: str = TrackingEvent.Source.COUNTER,
    note: str = "",
    reason: str = "",
    received_by: str = "",
    external_id: str | None = None,
) -> TrackingEvent:
    """Move a package to ``status`` by appending a tracking event.

    Locks the package row, so two clerks scanning the same parcel at once are
    applied one after the other; the second sees the first's status and is
    refused if its transition no longer applies. ``office`` defaults to the
    package's current office (where an ``in_transit`` leg departs from).
    ``actor`` None means the system; a clerk may act only at their offices.
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
    if not can_follow(locked.status, status):
        following = ", ".join(allowed_next(locked.status)) or "nothing (its journey is over)"
        raise IllegalTransition(
            f"{locked.tracking_number} is {Status(locked.status).label.lower()}; "
            f"it cannot become {Status(status).label.lower()}. Allowed next: {following}.",
            details={"current_status": locked.status, "allowed_next": allowed_next(locked.status)},
        )
    if office is None and locked.current_office_id is not None:
        office = locked.current_office
    if actor is not None and office is None and not access.is_hq(actor):
        raise OfficeNotAllowed("Say at which of your offices this happened.", details={"office": "Required."})
    if actor is not None and office is not None and not access.may_act_at(actor, office):
        raise OfficeNotAllowed(
            f"You do not work at {office.code}, so you cannot record events there.",
            details={"office": "Not one of your offices."},
        )
    _check_event_details(package=locked, status=status, office=office, reason=reason, received_by=received_by)

    now = timezone.now()
    occurred_at = occurred_at or now
    if occurred_at > now + CLOCK_SKEW:
        raise ShipmentError("An event cannot happen in the future.", details={"occurred_at": "In the future."})
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

    changed = ["status", "updated_at"]
    locked.status = status
    if status == Status.IN_TRANSIT:
        locked.current_office = None
        changed.append("current_office")
    elif status in _AT_OFFICE:
        locked.current_office = office
        changed.append("current_office")
    if status == Status.ACCEPTED:
        locked.accepted_at = occurred_at
        locked.expected_delivery_at = occurred_at + timedelta(days=locked.transit_days)
        changed += ["accepted_at", "expected_delivery_at"]
    if status == Status.DELIVERED:
        locked.delivered_at = occurred_at
        locked.received_by = event.received_by
        changed += ["delivered_at", "received_by"]
    locked.save(update_fields=changed)
    if status == Status.CANCELLED:
        # Cancelling before acceptance gives the whole price back.
        _charge(locked, kind=Charge.Kind.REFUND, charged_at=occurred_at)

    for field in changed:
        setattr(package, field, getattr(locked, field))
    event.package = package
    return event


@dataclass
class ScanResult:
    line: str
    tracking_number: str
    done: bool
    message: str
    package: Package | None = None


def package_scan_batch(
    *, actor, office: Office, status: str, lines: list[str], reason: str = "", received_by: str = "", note: str = ""
) -> list[ScanResult]:
    """Record ``status`` at ``office`` for every scanned line, each on its own.

    Not atomic on purpose: every package is a separate ``package_record_event``,
    so a separate transaction, and an unknown number or an illegal move refuses
    that line and no other. The result has one entry per line, in order.
    """
    parsed: list[tuple[str, str, str]] = []
    for line in lines:
        try:
            parsed.append((line, normalize_tracking_number(line), ""))
        except InvalidTrackingNumber as error:
            parsed.append((line, "", error.message))
    numbers = {number for _, number, _ in parsed if number}
    # One query for the whole batch; scoping is the same selector as everywhere.
    packages = {
        package.tracking_number: package
        for package in access.restrict(Package.objects.all(), actor)
        .filter(tracking_number__in=numbers)
        .select_related("current_office")
    }
    results, seen = [], set()
    for line, number, problem in parsed:
        if problem:
            results.append(ScanResult(line, number, False, problem))
        elif number in seen:
            results.append(ScanResult(line, number, False, "Scanned twice in this batch; recorded once."))
        elif number not in packages:
            results.append(ScanResult(line, number, False, "Unknown, or not one of the packages you can see."))
        else:
            seen.add(number)
            package = packages[number]
            try:
                package_record_event(
                    package=package,
                    status=status,
                    office=office,
                    actor=actor,
                    source=TrackingEvent.Source.SCAN,
                    reason=reason,
                    received_by=received_by,
                    note=note,
                )
            except ShipmentError as error:
                results.append(ScanResult(line, number, False, error.message, package))
            else:
                results.append(ScanResult(line, number, True, f"{Status(status).label} at {office.code}.", package))
    return results


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
