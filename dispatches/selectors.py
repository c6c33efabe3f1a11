"""Reads of bags, dispatches and discrepancies, scoped by ``offices.access``."""

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404

from offices import access
from shipments.ids import is_row_id
from shipments.models import TrackingEvent
from shipments.statuses import Status

from .identifiers import InvalidIdentifier, parse_s8, parse_s9
from .models import Bag, BagEvent, BagItem, Discrepancy, Dispatch

Person = User | AnonymousUser


def bag_holds(package_ids: Iterable[int]) -> dict[int, str]:
    """What holds each package (``shipments.holds``): the bag it is in until that bag is received."""
    rows = BagItem.objects.filter(package_id__in=list(package_ids), held=True).values_list(
        "package_id", "bag_id", "bag__identifier"
    )
    return {package_id: hold_label(bag_id, identifier) for package_id, bag_id, identifier in rows}


def hold_label(bag_id: int, identifier: str | None) -> str:
    return f"bag {identifier}" if identifier else f"open bag {bag_id}"


def bags_visible_to(user: Person) -> QuerySet[Bag]:
    return access.restrict(Bag.objects.all(), user)


def bag_list(user: Person) -> QuerySet[Bag]:
    return (
        bags_visible_to(user)
        .select_related("origin_office", "destination_office", "dispatch")
        .prefetch_related(_listed_items())
    )


def _listed_items() -> "Prefetch[Any]":
    """The parcels on a bag's list (an extra found elsewhere is taken off it)."""
    return Prefetch(
        "items",
        queryset=BagItem.objects.filter(found_in__isnull=True).select_related("package").order_by("added_at", "id"),
        to_attr="listed",
    )


def _bag_filter(key: str) -> Q:
    """A bag by its own key (digits) or its S9 identifier; a malformed S9 is refused with its position."""
    text = key.strip()
    if is_row_id(text):
        return Q(pk=int(text))
    return Q(identifier=parse_s9(text).identifier)


def bag_get_visible(user: Person, key: str, *, for_update: bool = False) -> Bag:
    """The bag ``key`` names if ``user`` may see it, else 404 (unknown and foreign look the same)."""
    queryset = bags_visible_to(user).filter(_bag_filter(key))
    if for_update:
        queryset = queryset.select_for_update(of=("self",))
    bag = queryset.select_related("origin_office", "destination_office", "dispatch").first()
    if bag is None:
        raise Http404
    return bag


def bag_detail(user: Person, key: str) -> Bag:
    bag = bag_get_visible(user, key)
    return (
        Bag.objects.select_related("origin_office", "destination_office", "dispatch")
        .prefetch_related(
            _listed_items(),
            Prefetch("events", queryset=BagEvent.objects.select_related("office", "actor")),
            Prefetch("discrepancies", queryset=Discrepancy.objects.select_related("package", "office")),
        )
        .get(pk=bag.pk)
    )


def filter_bags(queryset: QuerySet[Bag], *, office: Any = None, direction: str = "", state: str = "") -> QuerySet[Bag]:
    """The API's filters: an office (``direction`` outgoing: from it, incoming: to it, else both), a state."""
    if office is not None:
        if direction == "outgoing":
            queryset = queryset.filter(origin_office=office)
        elif direction == "incoming":
            queryset = queryset.filter(destination_office=office)
        else:
            queryset = queryset.filter(Q(origin_office=office) | Q(destination_office=office))
    if state:
        queryset = queryset.filter(state=state)
    return queryset


def dispatch_get_visible(user: Person, identifier: str) -> Dispatch:
    text = parse_s8(identifier)
    dispatch: Dispatch | None = (
        access.restrict(Dispatch.objects.all(), user)
        .filter(identifier=text)
        .select_related("origin_office", "destination_office", "dispatched_by")
        .prefetch_related(
            Prefetch(
                "bags",
                queryset=Bag.objects.order_by("identifier").prefetch_related(_listed_items()),
            ),
            Prefetch("events", queryset=BagEvent.objects.select_related("office", "actor")),
        )
        .first()
    )
    if dispatch is None:
        raise Http404
    return dispatch


def discrepancies_open(user: Person) -> QuerySet[Discrepancy]:
    """Missing parcels not scanned again anywhere nor declared lost since: HQ
    all, an office the ones of bags from or to it."""
    seen_again = TrackingEvent.objects.filter(
        package_id=OuterRef("package_id"),
        occurred_at__gt=OuterRef("recorded_at"),
        status__in=[Status.ARRIVED, Status.LOST],
    )
    return (
        access.restrict(Discrepancy.objects.all(), user)
        .filter(kind=Discrepancy.Kind.MISSING)
        .filter(~Exists(seen_again))
        .select_related("bag__origin_office", "bag__destination_office", "package", "office")
    )


def bag_counts(queryset: QuerySet[Bag]) -> QuerySet[Bag]:
    return queryset.annotate(parcel_count=Count("items", filter=Q(items__found_in__isnull=True)))


__all__ = ["InvalidIdentifier"]
