"""Every allowed and every forbidden transition, through package_record_event."""

import itertools
from datetime import timedelta

import pytest
from django.utils import timezone

from shipments.exceptions import IllegalTransition
from shipments.models import Package, TrackingEvent
from shipments.services import package_record_event
from shipments.statuses import ALLOWED_NEXT, REASON_REQUIRED, Reason, Status
from tests.factories import register_package

# The docs/domain.md table, written out independently of the code under test.
DOMAIN_TABLE = {
    "created": {"accepted", "cancelled"},
    "accepted": {"in_transit", "out_for_delivery", "ready_for_pickup", "delayed", "return_started", "returned", "lost"},
    "in_transit": {"arrived", "delayed", "lost"},
    "arrived": {"in_transit", "out_for_delivery", "ready_for_pickup", "delayed", "return_started", "returned", "lost"},
    "out_for_delivery": {"delivered", "delivery_failed", "delayed"},
    "delivery_failed": {"out_for_delivery", "ready_for_pickup", "return_started", "returned"},
    "ready_for_pickup": {"delivered", "return_started", "returned"},
    "delayed": {
        "in_transit",
        "arrived",
        "out_for_delivery",
        "ready_for_pickup",
        "delivered",
        "return_started",
        "returned",
        "lost",
    },
    "return_started": {"in_transit", "ready_for_pickup", "returned", "lost"},
    "delivered": set(),
    "returned": set(),
    "cancelled": set(),
    "lost": set(),
}

# A shortest way to reach each status from "created", at the right offices.
PATH_TO = {
    "created": [],
    "accepted": ["accepted"],
    "in_transit": ["accepted", "in_transit"],
    "arrived": ["accepted", "in_transit", "arrived"],
    "out_for_delivery": ["accepted", "out_for_delivery"],
    "delivery_failed": ["accepted", "out_for_delivery", "delivery_failed"],
    "ready_for_pickup": ["accepted", "in_transit", "arrived", "ready_for_pickup"],
    "delayed": ["accepted", "delayed"],
    "delivered": ["accepted", "in_transit", "arrived", "ready_for_pickup", "delivered"],
    "return_started": ["accepted", "in_transit", "arrived", "return_started"],
    "returned": ["accepted", "returned"],
    "cancelled": ["cancelled"],
    "lost": ["accepted", "lost"],
}


def test_code_table_is_the_domain_table():
    assert {status: set(following) for status, following in ALLOWED_NEXT.items()} == DOMAIN_TABLE


def _record(package, status, origin, destination, when):
    # Where the step may happen (docs/domain.md): accepted at the origin, an
    # arrival or pickup at the destination, anything else where the parcel is.
    # A parcel is handed back to its sender at the origin, where a returning one also waits.
    if status in {"accepted", "created", "returned"} or (status == "ready_for_pickup" and package.returning):
        office = origin
    elif status in {"arrived", "ready_for_pickup"}:
        office = destination
    else:
        office = package.current_office
    return package_record_event(
        package=package,
        status=status,
        office=office,
        occurred_at=when,
        reason=Reason.OTHER if status in REASON_REQUIRED else "",
        received_by="Rita Receiver" if status in ("delivered", "returned") else "",
    )


def _package_at(status, origin, destination):
    when = timezone.now() - timedelta(days=1)
    package = register_package(origin=origin, destination=destination, registered_at=when)
    for step in PATH_TO[status]:
        when += timedelta(minutes=10)
        _record(package, step, origin, destination, when)
    assert package.status == status
    return package, when


ALL_PAIRS = list(itertools.product(DOMAIN_TABLE, DOMAIN_TABLE))


@pytest.mark.django_db
@pytest.mark.parametrize(("current", "new"), [pair for pair in ALL_PAIRS if pair[1] in DOMAIN_TABLE[pair[0]]])
def test_allowed_transition_appends_an_event_and_moves_the_status(current, new, office_a, office_b):
    # Ready for pickup straight from the origin office: a parcel sent within one office.
    destination = office_a if new == "ready_for_pickup" and current != "arrived" else office_b
    # Handed back to its sender at its origin: there already, or sent within it.
    if new == "returned":
        destination = office_a
    package, when = _package_at(current, office_a, destination)
    events_before = package.events.count()

    event = _record(package, new, office_a, destination, when + timedelta(minutes=5))

    package.refresh_from_db()
    assert package.status == new
    assert event.status == new
    assert package.events.count() == events_before + 1
    assert package.events.order_by("-occurred_at", "-id").first().status == new


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("current", "new"), [pair for pair in ALL_PAIRS if pair[1] not in DOMAIN_TABLE[pair[0]] and pair[1] != "created"]
)
def test_forbidden_transition_is_refused_and_writes_nothing(current, new, office_a, office_b):
    package, when = _package_at(current, office_a, office_b)
    events_before = TrackingEvent.objects.count()

    with pytest.raises(IllegalTransition) as refused:
        _record(package, new, office_a, office_b, when + timedelta(minutes=5))

    assert package.tracking_number in refused.value.message
    assert "cannot become" in refused.value.message
    assert Package.objects.get(pk=package.pk).status == current
    assert TrackingEvent.objects.count() == events_before


@pytest.mark.django_db
@pytest.mark.parametrize("current", list(DOMAIN_TABLE))
def test_nothing_goes_back_to_created(current, office_a, office_b):
    package, when = _package_at(current, office_a, office_b)
    with pytest.raises(IllegalTransition):
        _record(package, Status.CREATED, office_a, office_b, when + timedelta(minutes=5))
