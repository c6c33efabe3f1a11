"""A parcel on its way back travels in bags like any other: its bag's
destination is its origin office, so a bag to the origin takes it "direct"."""

import pytest

from dispatches.movements import dispatch_bags, receive_bag
from dispatches.services import bag_add_parcels, bag_close, bag_open
from handover.rules import ProofInput
from handover.services import package_hand_over
from shipments.exceptions import ShipmentError
from shipments.services import package_record_event
from tests.handover.images import png


def test_a_returning_parcel_goes_back_in_a_bag_to_its_origin(nyc, bos, mia, bos_clerk, nyc_clerk, accepted):
    package = accepted()  # NYC01 → BOS01
    package_record_event(package=package, status="in_transit")
    package_record_event(package=package, status="arrived", office=bos)
    package_record_event(package=package, status="return_started", reason="refused", actor=bos_clerk)

    home = bag_open(actor=bos_clerk, origin_office=bos, destination_office=nyc, category="C")
    [added] = bag_add_parcels(actor=bos_clerk, bag=home, lines=[package.tracking_number])
    assert (added.outcome, added.message) == ("added", "Added.")  # going home, not "via NYC01"
    home = bag_close(actor=bos_clerk, bag=home, weight_kg="1.0", seal="S-1")
    dispatch_bags(actor=bos_clerk, bags=[home])
    package.refresh_from_db()
    assert (package.status, package.returning, package.current_office_id) == ("in_transit", True, None)
    receive_bag(actor=nyc_clerk, bag=home)
    package.refresh_from_db()
    assert (package.status, package.returning, package.current_office) == ("arrived", True, nyc)

    # Handed back to its sender at the origin with a proof, as a delivery is; never without one.
    with pytest.raises(ShipmentError) as refused:
        package_record_event(package=package, status="returned", actor=nyc_clerk, received_by="Sam Sender")
    assert refused.value.code == "proof_required"
    proof = package_hand_over(
        package=package,
        actor=nyc_clerk,
        status="returned",
        proof=ProofInput(received_by="Sam Sender", relationship="addressee", signature_png=png()),
    )
    package.refresh_from_db()
    assert (package.status, package.received_by, proof.status) == ("returned", "Sam Sender", "returned")


def test_a_returning_parcel_in_a_bag_elsewhere_goes_via_that_office(nyc, bos, mia, bos_clerk, accepted):
    package = accepted()
    package_record_event(package=package, status="in_transit")
    package_record_event(package=package, status="arrived", office=bos)
    package_record_event(package=package, status="return_started", reason="damaged", actor=bos_clerk)
    onward = bag_open(actor=bos_clerk, origin_office=bos, destination_office=mia, category="C")
    [added] = bag_add_parcels(actor=bos_clerk, bag=onward, lines=[package.tracking_number])
    assert added.message == "Added (via MIA01)."
