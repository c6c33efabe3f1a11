"""Opening, filling and closing a bag at its origin office: every refusal the
issue names, and the S9 identifier a closed bag gets."""

from decimal import Decimal

import pytest
from django.db import InternalError, transaction

from dispatches.models import Bag, BagEvent
from dispatches.services import bag_add_parcel, bag_add_parcels, bag_close, bag_open, bag_remove_parcel
from shipments.exceptions import OfficeNotAllowed, ShipmentError
from shipments.models import Service
from shipments.services import package_record_event
from tests.factories import OfficeFactory

pytestmark = pytest.mark.django_db


def open_bag(actor, origin, destination, category="C"):
    return bag_open(actor=actor, origin_office=origin, destination_office=destination, category=category)


def test_a_bag_is_opened_for_another_active_office_by_its_origin_staff(nyc, bos, nyc_clerk, bos_clerk):
    bag = open_bag(nyc_clerk, nyc, bos)
    assert (bag.state, bag.identifier, bag.key) == ("open", None, str(bag.pk))
    assert list(bag.events.values_list("kind", "office__code", "actor__username")) == [
        ("opened", "NYC01", "clerk.nyc01")
    ]
    with pytest.raises(ShipmentError, match="another office, not its own"):
        open_bag(nyc_clerk, nyc, nyc)
    closed = OfficeFactory(code="OLD01", exchange_code="USOLDA", is_active=False)
    with pytest.raises(ShipmentError, match="destination office is closed"):
        open_bag(nyc_clerk, nyc, closed)
    with pytest.raises(OfficeNotAllowed, match="You do not work at NYC01"):
        open_bag(bos_clerk, nyc, bos)
    with pytest.raises(ShipmentError) as refused:
        open_bag(nyc_clerk, nyc, bos, category="B")
    assert "category" in refused.value.details
    no_code = OfficeFactory(code="NOX01", exchange_code=None)
    with pytest.raises(ShipmentError, match="exchange code"):
        open_bag(nyc_clerk, nyc, no_code)


def test_a_bags_timeline_is_append_only(nyc, bos, nyc_clerk):
    bag = open_bag(nyc_clerk, nyc, bos)
    event = bag.events.get()
    for rewrite in (lambda: BagEvent.objects.filter(pk=event.pk).update(note="edited"), event.delete):
        with pytest.raises(InternalError, match="dispatches_bagevent rows are append-only"), transaction.atomic():
            rewrite()
    assert list(bag.events.values_list("kind", "note")) == [("opened", "")]


def test_scanning_parcels_in_says_added_refused_or_repeated_per_line(nyc, bos, mia, nyc_clerk, accepted):
    bag = open_bag(nyc_clerk, nyc, bos)
    direct, beyond = accepted(), accepted(destination=mia)
    express = accepted(service=Service.EXPRESS)
    not_accepted = accepted(accept=False)
    delivered_elsewhere = accepted()
    package_record_event(package=delivered_elsewhere, status="lost", reason="other")
    lines = [
        direct.tracking_number,
        beyond.tracking_number,
        direct.tracking_number,
        express.tracking_number,
        not_accepted.tracking_number,
        delivered_elsewhere.tracking_number,
        "XX123",
    ]
    results = bag_add_parcels(actor=nyc_clerk, bag=bag, lines=lines)
    assert [(result.outcome, result.message) for result in results] == [
        ("added", "Added."),
        ("added", "Added (via BOS01)."),
        ("repeated", "Already in this bag; counted once."),
        ("refused", f"{express.tracking_number} is express: it goes in a category A bag, not C."),
        ("refused", f"{not_accepted.tracking_number} is not on hand at the bag's office."),
        ("refused", f"{delivered_elsewhere.tracking_number} is lost: its journey is over."),
        ("refused", results[6].message),
    ]
    assert "tracking number" in results[6].message.lower()
    # Scanned again later: still repeated, not added twice.
    again = bag_add_parcels(actor=nyc_clerk, bag=bag, lines=[direct.tracking_number])
    assert again[0].outcome == "repeated"
    assert bag.items.count() == 2


def test_a_parcel_is_in_one_bag_at_a_time_and_can_be_taken_out_while_open(nyc, bos, nyc_clerk, accepted):
    first, second = open_bag(nyc_clerk, nyc, bos), open_bag(nyc_clerk, nyc, bos)
    package = accepted()
    bag_add_parcel(actor=nyc_clerk, bag=first, package=package)
    with pytest.raises(ShipmentError, match=f"already in open bag {first.pk}"):
        bag_add_parcel(actor=nyc_clerk, bag=second, package=package)
    bag_remove_parcel(actor=nyc_clerk, bag=first, tracking_number=package.tracking_number)
    bag_add_parcel(actor=nyc_clerk, bag=second, package=package)
    with pytest.raises(ShipmentError, match="not in this bag"):
        bag_remove_parcel(actor=nyc_clerk, bag=first, tracking_number=package.tracking_number)


def test_closing_needs_parcels_a_weight_and_a_seal_and_assigns_the_s9(nyc, bos, nyc_clerk, bos_clerk, accepted):
    bag = open_bag(nyc_clerk, nyc, bos)
    with pytest.raises(ShipmentError, match="An empty bag cannot be closed"):
        bag_close(actor=nyc_clerk, bag=bag, weight_kg="12.4", seal="S-1")
    bag_add_parcel(actor=nyc_clerk, bag=bag, package=accepted(declared_value=Decimal("20.00")))
    for weight in ("0", "999.9", "12.45", "twelve", ""):
        with pytest.raises(ShipmentError) as refused:
            bag_close(actor=nyc_clerk, bag=bag, weight_kg=weight, seal="S-1")
        assert "weight_kg" in refused.value.details
    with pytest.raises(ShipmentError) as refused:
        bag_close(actor=nyc_clerk, bag=bag, weight_kg="12.4", seal=" ")
    assert refused.value.details == {"seal": "Enter the seal number."}
    with pytest.raises(OfficeNotAllowed):
        bag_close(actor=bos_clerk, bag=bag, weight_kg="12.4", seal="S-1")

    closed = bag_close(actor=nyc_clerk, bag=bag, weight_kg="12.4", seal="S-1")
    assert closed.state == "closed"
    year = closed.identifier[15]
    assert closed.identifier == f"USNYCAUSBOSACCN{year}0001001910124"
    assert closed.dispatch.identifier == closed.identifier[:20]
    assert closed.weight_kg == Decimal("12.4")
    assert [event.kind for event in closed.events.all()] == ["opened", "closed"]
    with pytest.raises(ShipmentError, match="already closed"):
        bag_close(actor=nyc_clerk, bag=bag, weight_kg="12.4", seal="S-1")
    with pytest.raises(ShipmentError, match="closed: its contents are frozen"):
        bag_remove_parcel(actor=nyc_clerk, bag=bag, tracking_number="x")
    with pytest.raises(ShipmentError, match="closed: nothing more goes in"):
        bag_add_parcels(actor=nyc_clerk, bag=bag, lines=[accepted().tracking_number])

    # A second bag on the route joins the forming dispatch; another category draws its own serial.
    second = open_bag(nyc_clerk, nyc, bos)
    bag_add_parcel(actor=nyc_clerk, bag=second, package=accepted())
    second = bag_close(actor=nyc_clerk, bag=second, weight_kg="3", seal="S-2")
    assert second.identifier == f"USNYCAUSBOSACCN{year}0001002900030"
    priority = open_bag(nyc_clerk, nyc, bos, category="A")
    bag_add_parcel(actor=nyc_clerk, bag=priority, package=accepted(service=Service.EXPRESS))
    priority = bag_close(actor=nyc_clerk, bag=priority, weight_kg="1.0", seal="S-3")
    assert priority.identifier == f"USNYCAUSBOSAACN{year}0001001900010"
    assert BagEvent.objects.filter(dispatch__isnull=False, kind="opened").count() == 2
    assert Bag.objects.filter(state="closed").count() == 3
