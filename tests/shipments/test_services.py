import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from handover.rules import ProofInput
from handover.services import package_hand_over
from offices.models import Membership
from shipments.batches import package_scan_batch
from shipments.exceptions import IllegalTransition, OfficeNotAllowed, ShipmentError
from shipments.models import Charge, Package, Tariff, TrackingEvent
from shipments.services import package_record_event
from tests.factories import OfficeFactory, TariffFactory, clerk_at, party, register_package
from tests.handover.images import png


def test_register_freezes_the_cost_charges_it_and_records_created(new_york, london):
    clerk = clerk_at(new_york)
    package = register_package(origin=new_york, destination=london, actor=clerk, declared_value=Decimal("100"))

    assert package.status == "created"
    assert package.current_office == new_york
    event = package.events.get()
    assert (event.status, event.office, event.recorded_by) == ("created", new_york, clerk)
    charge = Charge.objects.get(package=package)
    assert charge.total == package.cost_total > 0
    assert charge.office == new_york
    assert charge.destination_office == london

    # A later tariff change does not touch the registered package.
    Tariff.objects.update(base_fee=Decimal("99.00"))
    package.refresh_from_db()
    assert package.cost_base == Decimal("5.00")


def test_register_and_accept_at_the_counter_sets_the_eta(new_york, london):
    package = register_package(origin=new_york, destination=london, accept=True)
    assert package.status == "accepted"
    assert list(package.events.values_list("status", flat=True)) == ["created", "accepted"]
    assert package.expected_delivery_at == package.accepted_at + timedelta(days=5)


def test_register_only_at_the_clerks_own_office(new_york, london):
    clerk = clerk_at(london)
    with pytest.raises(OfficeNotAllowed, match="NYC01"):
        register_package(origin=new_york, destination=london, actor=clerk)
    assert Package.objects.count() == 0


def test_register_refuses_missing_party_details_and_writes_nothing(new_york, london):
    with pytest.raises(ShipmentError) as refused:
        register_package(origin=new_york, destination=london, receiver=party(name=" ", notify_sms=True, phone=""))
    assert {"receiver.name", "receiver.phone"} <= set(refused.value.details)
    assert Package.objects.count() == 0
    assert TrackingEvent.objects.count() == 0


def test_clerk_records_events_only_at_their_offices(new_york, london):
    clerk = clerk_at(london, username="london_clerk")
    package = register_package(origin=new_york, destination=london)
    with pytest.raises(OfficeNotAllowed):
        package_record_event(package=package, status="accepted", office=new_york, actor=clerk)
    assert Package.objects.get(pk=package.pk).status == "created"


def test_manager_and_clerk_both_record_events_at_their_office(new_york, london):
    manager = clerk_at(new_york, role=Membership.Role.MANAGER, username="ny_manager")
    package = register_package(origin=new_york, destination=london)
    event = package_record_event(package=package, status="accepted", office=new_york, actor=manager)
    assert event.recorded_by == manager


def test_a_scanned_batch_records_each_line_on_its_own(new_york, london):
    clerk = clerk_at(london, username="london_clerk")
    arriving = register_package(origin=new_york, destination=london, accept=True)
    package_record_event(package=arriving, status="in_transit")
    not_yet_sent = register_package(origin=new_york, destination=london)
    elsewhere = register_package(origin=new_york, destination=new_york, accept=True)
    results = package_scan_batch(
        actor=clerk,
        office=london,
        status="arrived",
        lines=[arriving.tracking_number, "EE1", not_yet_sent.tracking_number, elsewhere.tracking_number],
    )
    assert [(result.line, result.done) for result in results] == [
        (arriving.tracking_number, True),
        ("EE1", False),
        (not_yet_sent.tracking_number, False),  # still at the counter: cannot arrive
        (elsewhere.tracking_number, False),  # not a London parcel: invisible to this clerk
    ]
    assert results[0].message == "Arrived (received) at LON01."
    assert "cannot become arrived" in results[2].message
    assert results[3].message == "Unknown, or not one of the packages you can see."
    statuses = dict(Package.objects.values_list("tracking_number", "status"))
    assert statuses == {
        arriving.tracking_number: "arrived",
        not_yet_sent.tracking_number: "created",
        elsewhere.tracking_number: "accepted",
    }


def test_in_transit_leaves_no_current_office_and_arrival_sets_it(new_york, london):
    package = register_package(origin=new_york, destination=london, accept=True)
    package_record_event(package=package, status="in_transit")
    package.refresh_from_db()
    assert package.current_office is None
    assert package.events.last().office == new_york  # departed from there

    package_record_event(package=package, status="arrived", office=london)
    package.refresh_from_db()
    assert package.current_office == london


def test_delivery_needs_the_receivers_name_and_records_proof(new_york, london):
    clerk = clerk_at(london, username="london_clerk")
    package = register_package(origin=new_york, destination=london, accept=True)
    package_record_event(package=package, status="in_transit", office=new_york)
    package_record_event(package=package, status="arrived", office=london)
    package_record_event(package=package, status="out_for_delivery", office=london)
    with pytest.raises(ShipmentError, match="received the parcel"):
        package_record_event(package=package, status="delivered", office=london, actor=clerk)
    with pytest.raises(ShipmentError, match="one parcel at a time") as refused:
        package_record_event(package=package, status="delivered", office=london, actor=clerk, received_by="Rita R.")
    assert refused.value.code == "proof_required"
    proof = ProofInput(received_by=" Rita R. ", relationship="addressee", signature_png=png())
    package_hand_over(package=package, office=london, actor=clerk, proof=proof)
    package.refresh_from_db()
    assert package.status == "delivered"
    assert package.received_by == "Rita R."
    assert package.delivered_at


def test_delay_needs_a_reason_from_the_list(new_york, london):
    package = register_package(origin=new_york, destination=london, accept=True)
    with pytest.raises(ShipmentError, match="Pick a reason"):
        package_record_event(package=package, status="delayed")
    with pytest.raises(ShipmentError, match="Unknown reason"):
        package_record_event(package=package, status="delayed", reason="aliens")
    event = package_record_event(package=package, status="delayed", reason="weather")
    assert event.reason == "weather"


def test_events_cannot_be_in_the_future_or_before_the_last_one(new_york, london):
    package = register_package(origin=new_york, destination=london)
    with pytest.raises(ShipmentError, match="future"):
        package_record_event(package=package, status="accepted", occurred_at=timezone.now() + timedelta(hours=1))
    with pytest.raises(ShipmentError, match="cannot be earlier"):
        package_record_event(package=package, status="accepted", occurred_at=timezone.now() - timedelta(days=1))


def test_accepted_only_at_origin_and_pickup_only_at_destination(new_york, london):
    package = register_package(origin=new_york, destination=london)
    with pytest.raises(ShipmentError, match="origin office"):
        package_record_event(package=package, status="accepted", office=london)
    package_record_event(package=package, status="accepted", office=new_york)
    with pytest.raises(ShipmentError, match="destination office"):
        package_record_event(package=package, status="ready_for_pickup", office=new_york)


def test_cancelling_refunds_the_charge(new_york, london):
    package = register_package(origin=new_york, destination=london)
    package_record_event(package=package, status="cancelled")
    totals = sorted(Charge.objects.filter(package=package).values_list("total", flat=True))
    assert totals == [-package.cost_total, package.cost_total]


def test_external_id_makes_recording_idempotent(new_york, london):
    package = register_package(origin=new_york, destination=london)
    first = package_record_event(package=package, status="accepted", external_id="feed-1")
    again = package_record_event(package=package, status="accepted", external_id="feed-1")
    assert first.pk == again.pk
    assert package.events.count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_clerks_scanning_one_package_at_once_lose_nothing_and_exactly_one_wins():
    origin, destination = OfficeFactory(code="ORG01"), OfficeFactory(code="DST01")
    TariffFactory()
    package = register_package(origin=origin, destination=destination, accept=True)
    barrier = threading.Barrier(2)
    outcomes = []

    def scan_in_transit():
        from django.db import connection as thread_connection

        try:
            stale = Package.objects.get(pk=package.pk)  # both read "accepted"
            barrier.wait(timeout=10)
            package_record_event(package=stale, status="in_transit", note=threading.current_thread().name)
            outcomes.append("done")
        except IllegalTransition:
            outcomes.append("refused")
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=scan_in_transit, name=f"clerk-{n}") for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["done", "refused"]
    statuses = list(Package.objects.get(pk=package.pk).events.values_list("status", flat=True))
    assert statuses == ["created", "accepted", "in_transit"]


@pytest.mark.django_db(transaction=True)
def test_concurrent_different_moves_are_applied_one_after_the_other():
    origin, destination = OfficeFactory(code="ORG01"), OfficeFactory(code="DST01")
    TariffFactory()
    package = register_package(origin=origin, destination=destination, accept=True)
    package_record_event(package=package, status="in_transit")
    barrier = threading.Barrier(2)
    outcomes = {}

    def record(status, **extra):
        from django.db import connection as thread_connection

        try:
            stale = Package.objects.get(pk=package.pk)
            barrier.wait(timeout=10)
            package_record_event(package=stale, status=status, **extra)
            outcomes[status] = "done"
        except ShipmentError as error:
            outcomes[status] = error.code
        finally:
            thread_connection.close()

    threads = [
        threading.Thread(target=record, args=("arrived",), kwargs={"office": destination}),
        threading.Thread(target=record, args=("delayed",), kwargs={"reason": "weather"}),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # in_transit → arrived and in_transit → delayed are both legal, and delayed → arrived is legal,
    # but arrived → delayed is legal too: whichever comes second still applies. Both are kept.
    package.refresh_from_db()
    events = list(package.events.values_list("status", flat=True))
    assert outcomes == {"arrived": "done", "delayed": "done"}
    assert sorted(events[-2:]) == ["arrived", "delayed"]
    assert package.status == events[-1]


def test_a_physical_step_is_recorded_where_the_parcel_is(new_york, london):
    """The probe's case: the origin's clerk "delivers" at NYC01 a parcel out for delivery from LON01."""
    origin_clerk = clerk_at(new_york, username="nyc_clerk")
    package = register_package(origin=new_york, destination=london, accept=True)
    for status, office in (("in_transit", new_york), ("arrived", london), ("out_for_delivery", london)):
        package_record_event(package=package, status=status, office=office)
    for status, details in (("delivered", {"received_by": "Rita"}), ("delivery_failed", {"reason": "other"})):
        with pytest.raises(ShipmentError, match="recorded where the parcel is") as refused:
            package_record_event(package=package, status=status, office=new_york, actor=origin_clerk, **details)
        assert refused.value.details == {"office": "Not where the parcel is."}
    package.refresh_from_db()
    assert (package.status, package.current_office) == ("out_for_delivery", london)


def test_a_parcel_in_transit_must_arrive_before_anything_happens_at_an_office(new_york, london):
    package = register_package(origin=new_york, destination=london, accept=True)
    package_record_event(package=package, status="in_transit", office=new_york)
    package_record_event(package=package, status="delayed", reason="weather")
    with pytest.raises(ShipmentError, match="record its arrival"):
        package_record_event(package=package, status="out_for_delivery", office=london)
    package_record_event(package=package, status="arrived", office=london)
    package_record_event(package=package, status="out_for_delivery", office=london)
    assert package.status == "out_for_delivery"


def test_a_missing_office_in_transit_is_a_missing_field_not_a_refusal(new_york, london):
    clerk = clerk_at(london, username="london_clerk2")
    package = register_package(origin=new_york, destination=london, accept=True)
    package_record_event(package=package, status="in_transit", office=new_york)
    with pytest.raises(ShipmentError) as refused:
        package_record_event(package=package, status="arrived", actor=clerk)
    assert not isinstance(refused.value, OfficeNotAllowed)
    assert refused.value.http_status == 400
    assert refused.value.details == {"office": "Required while the package is in transit."}


def test_an_illegal_move_names_the_statuses_a_clerk_reads(new_york, london):
    package = register_package(origin=new_york, destination=london, accept=True)
    with pytest.raises(IllegalTransition) as refused:
        package_record_event(package=package, status="arrived", office=london)
    assert (
        "Allowed next: In transit, Out for delivery, Ready for pickup, Delayed, Returning to sender, Returned, Lost."
        in str(refused.value)
    )
    assert refused.value.details["allowed_next"][:2] == ["in_transit", "out_for_delivery"]
