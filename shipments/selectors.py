"""Read-side queries for packages, shared by the admin and the API so both
scope the same way: a clerk sees packages whose origin, current or destination
office is one of theirs; HQ sees all."""

import re
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db.models import CharField, Func, Prefetch, Q, QuerySet, Value

from offices import access
from offices.access import Person
from offices.models import Office

from .exceptions import InvalidTrackingNumber, PackageNotFound
from .models import Package, TrackingEvent
from .rules import phone_e164
from .statuses import (
    CONFIRM_FIRST,
    FINAL_STATUSES,
    HANDOVER_STATUSES,
    ON_HAND,
    REASON_ALLOWED,
    REASON_REQUIRED,
    Reason,
    Status,
    allowed_next,
)
from .step_rules import event_office_problems, preselected_step_office_id, step_office_id
from .tracking_numbers import normalize_tracking_number


def packages_visible_to(user: Person) -> QuerySet[Package]:
    """The packages ``user`` may see (offices.access decides)."""
    return access.restrict(Package.objects.all(), user, "view")


# An office's view of the packages: registered there, on their way there, physically there now.
DIRECTIONS = ("sent", "incoming", "on_hand")


def office_packages(user: Person, office: Office, direction: str) -> QuerySet[Package]:
    """The visible packages of ``office`` in one ``direction`` (see DIRECTIONS), newest first."""
    packages = package_list(user)
    if direction == "sent":
        return packages.filter(origin_office=office)
    if direction == "incoming":
        return incoming_to(packages, office.pk)
    if direction == "on_hand":
        return on_hand_at(packages, office.pk)
    raise ValueError(f"Unknown direction {direction!r}; one of {', '.join(DIRECTIONS)}.")


def incoming_to(queryset: QuerySet[Package], office_id: int) -> QuerySet[Package]:
    """The packages of ``queryset`` on their way to that office: a delivered,
    returned, cancelled or lost parcel is not coming, nor one going back to its
    sender (the "Returning" filter lists those)."""
    return queryset.filter(destination_office_id=office_id, returning=False).exclude(status__in=FINAL_STATUSES)


def on_hand_at(queryset: QuerySet[Package], office_id: int) -> QuerySet[Package]:
    """The packages of ``queryset`` physically at that office now (statuses.ON_HAND)."""
    return queryset.filter(current_office_id=office_id, status__in=ON_HAND)


def package_list(user: Person) -> QuerySet[Package]:
    """Visible packages with the offices a list shows, newest first."""
    return (
        packages_visible_to(user)
        .select_related("origin_office", "current_office", "destination_office")
        .order_by("-created_at", "-id")
    )


def packages_overdue(queryset: QuerySet[Package], now: datetime) -> QuerySet[Package]:
    """Packages of ``queryset`` past their expected delivery and not in a final
    status (``Package.is_overdue`` row by row). The partial index
    package_open_eta_idx holds exactly the packages not in a final status, by
    expected delivery: at a million packages this reads the late ones only."""
    return queryset.filter(expected_delivery_at__lt=now).exclude(status__in=sorted(FINAL_STATUSES))


# What a phone number looks like when typed: digits, spaces, + - ( ) .
_PHONE = re.compile(r"^\+?[\d\s\-().]{6,}$")


def packages_search(queryset: QuerySet[Package], term: str) -> QuerySet[Package]:
    """The search box of the admin and the API's ``search``: a tracking number
    (exact; spaces and case ignored), else a phone number (exact, as typed or
    without separators), else part of the sender's or receiver's name."""
    term = term.strip()
    if not term:
        return queryset
    try:
        # The unique index answers this in a millisecond.
        return queryset.filter(tracking_number=normalize_tracking_number(term))
    except InvalidTrackingNumber:
        pass
    # Any number with a phone's digits: rows stored before only valid numbers were taken still match.
    phone = phone_e164(term, settings.PHONE_DEFAULT_REGION, valid_only=False) if _PHONE.match(term) else None
    if phone:
        # Phones are stored in E.164, so the query is read the same way.
        return queryset.filter(Q(sender_phone=phone) | Q(receiver_phone=phone))
    return packages_named(queryset, term)


# A name search matching at most this many packages is answered from the
# matches themselves (see packages_named).
FEW_NAME_MATCHES = 1000


class NameKey(Func):
    """A name as the search compares it: without accents, in upper case
    (the SQL function of shipments migration 0009, which the trigram indexes hold)."""

    function = "shipments_name_key"
    output_field = CharField()


def packages_name_contains(queryset: QuerySet[Package], term: str) -> QuerySet[Package]:
    """Packages of ``queryset`` whose sender's or receiver's NameKey contains ``term``'s."""
    # The term goes through the same function: PostgreSQL folds it to a constant pattern the index can use.
    key = NameKey(Value(term, output_field=CharField()))
    return queryset.alias(sender_key=NameKey("sender_name"), receiver_key=NameKey("receiver_name")).filter(
        Q(sender_key__contains=key) | Q(receiver_key__contains=key)
    )


def packages_named(queryset: QuerySet[Package], term: str) -> QuerySet[Package]:
    """Packages of ``queryset`` whose sender or receiver name contains ``term``,
    accents and case ignored ("alvarez" finds "José Álvarez").

    PostgreSQL plans "name contains …, newest first, first page" as a walk down
    the created_at index, expecting matches all along it. For a name that
    matches a handful of packages it walks the whole table (seconds at a
    million rows). So the matches are read first, unordered (the trigram
    indexes, where pg_trgm is installed), at most FEW_NAME_MATCHES of them;
    when there are no more than that, the list is those packages by id. A
    name matching more than that is common enough for the index walk.
    """
    matches = packages_name_contains(queryset, term)
    ids = list(matches.order_by().values_list("pk", flat=True)[: FEW_NAME_MATCHES + 1])
    if len(ids) <= FEW_NAME_MATCHES:
        return queryset.filter(pk__in=ids)
    return matches


def timeline_queryset() -> QuerySet[TrackingEvent]:
    return TrackingEvent.objects.select_related("office", "office__location", "recorded_by").order_by(
        "occurred_at", "id"
    )


def package_detail_queryset(user: Person) -> QuerySet[Package]:
    """Visible packages with everything a detail page shows, in a fixed number of queries."""
    return (
        packages_visible_to(user)
        .select_related(
            "origin_office__location",
            "current_office__location",
            "destination_office__location",
            "sender_address",
            "receiver_address",
        )
        .prefetch_related(Prefetch("events", queryset=timeline_queryset()))
    )


def package_get_visible(user: Person, tracking_number: str) -> Package:
    """The visible package with that number. Unknown and not-visible look the same."""
    number = normalize_tracking_number(tracking_number)
    package = package_detail_queryset(user).filter(tracking_number=number).first()
    if package is None:
        raise PackageNotFound(f"No package {number} among the packages you can see.")
    return package


# What the public tracking lookup may show. Only these columns are read, so
# names, addresses, phones and costs never leave the database for it.
PUBLIC_PACKAGE_FIELDS = (
    "tracking_number",
    "status",
    "returning",
    "service",
    "expected_delivery_at",
    "delivered_at",
    "origin_office__location__city",
    "origin_office__location__country",
    "destination_office__location__city",
    "destination_office__location__country",
    "destination_office__time_zone",
)
PUBLIC_EVENT_FIELDS = (
    "package_id",
    "status",
    "occurred_at",
    "reason",
    "received_by",  # shown as initials only (public_description)
    "office__location__city",
    "office__time_zone",
)


def initials(name: str) -> str:
    """“Jane Smith” → “J. S.”: what the public sees of who signed for a parcel."""
    return " ".join(f"{part[0].upper()}." for part in name.split() if part[:1].isalpha())


def public_description(event: TrackingEvent) -> str:
    """A step as the public sees it: its label, its reason, and for a handover the
    signer's initials only ("Delivered, signed by J. S.")."""
    text = Status(event.status).label + (f" ({Reason(event.reason).label.lower()})" if event.reason else "")
    signed_by = initials(event.received_by) if event.status in HANDOVER_STATUSES else ""
    return f"{text}, signed by {signed_by}" if signed_by else text


@dataclass(frozen=True)
class Place:
    """City and country only: never a street, a name or a phone number."""

    city: str
    country: str


@dataclass(frozen=True)
class PublicEvent:
    status: str
    occurred_at: datetime
    office_city: str | None
    # The office's time zone: the page shows the local time where it happened.
    time_zone: str
    # Built from the status and reason only: free-text notes are for staff
    # and may contain names or addresses.
    description: str


@dataclass(frozen=True)
class PublicTracking:
    """What anyone with the tracking number may know about a parcel."""

    tracking_number: str
    status: str
    status_label: str
    service: str
    origin: Place
    destination: Place
    expected_delivery_at: datetime | None
    delivered_at: datetime | None
    returning: bool  # on its way back to the sender: "Returning to sender"
    events: list[PublicEvent]
    # Delivery times and dates are the destination's local ones.
    destination_time_zone: str


def package_tracking_public(tracking_number: str) -> PublicTracking:
    """Any package by number, for the public tracking page and API: the public
    columns only are read, so names, addresses, phones and costs never leave
    the database for it."""
    number = normalize_tracking_number(tracking_number)
    events = (
        TrackingEvent.objects.select_related("office__location")
        .only(*PUBLIC_EVENT_FIELDS)
        .order_by("occurred_at", "id")
    )
    package = (
        Package.objects.select_related("origin_office__location", "destination_office__location")
        .only(*PUBLIC_PACKAGE_FIELDS)
        .prefetch_related(Prefetch("events", queryset=events))
        .filter(tracking_number=number)
        .first()
    )
    if package is None:
        raise PackageNotFound(f"We have no package {number}. Please check the number on your receipt.")
    origin, destination = package.origin_office.location, package.destination_office.location
    return PublicTracking(
        tracking_number=package.tracking_number,
        status=package.status,
        status_label=package.get_status_display(),
        service=package.service,
        origin=Place(origin.city, origin.country),
        destination=Place(destination.city, destination.country),
        expected_delivery_at=package.expected_delivery_at,
        delivered_at=package.delivered_at,
        returning=package.returning,
        events=[
            PublicEvent(
                status=event.status,
                occurred_at=event.occurred_at,
                office_city=event.office.location.city if event.office is not None else None,
                time_zone=event.office.time_zone if event.office is not None else package.destination_office.time_zone,
                description=public_description(event),
            )
            for event in package.events.all()
        ],
        destination_time_zone=package.destination_office.time_zone,
    )


@dataclass(frozen=True)
class NextStep:
    """A status that may follow a package's current one, for one user."""

    status: str
    label: str
    office_id: int | None  # preselected
    needs_reason: bool
    takes_reason: bool
    needs_received_by: bool
    confirm_first: bool  # asks on a second page before it is recorded (CONFIRM_FIRST)


def package_next_steps(user: Person, package: Package, own_office_ids: set[int]) -> list[NextStep]:
    """The steps ``user`` can record for ``package`` at one of their offices
    (``own_office_ids``), with the office to preselect: where the step
    naturally happens if they work there, else their first office."""
    hq = access.is_hq(user)
    fallback = access.default_office(user)
    steps = []
    for status in allowed_next(package.status, returning=package.returning):
        required = step_office_id(package, status)
        if required is not None and required not in own_office_ids and not hq:
            continue  # the service would refuse it at any office of this user
        natural = preselected_step_office_id(package, status)
        office_id = natural if natural in own_office_ids else (fallback.pk if fallback else natural)
        if event_office_problems(
            status=status,
            office_id=office_id,
            origin_office_id=package.origin_office_id,
            destination_office_id=package.destination_office_id,
            current_office_id=package.current_office_id,
            returning=package.returning,
        ):
            continue  # e.g. ready for pickup while the parcel is elsewhere
        steps.append(
            NextStep(
                status=status,
                label=Status(status).label,
                office_id=office_id,
                needs_reason=status in REASON_REQUIRED,
                takes_reason=status in REASON_ALLOWED,
                needs_received_by=status in HANDOVER_STATUSES,
                confirm_first=status in CONFIRM_FIRST,
            )
        )
    return steps
