"""A bag's set-based moves ask the step guards of other apps
(``shipments.guards``: the counter's money) for the parcels they concern, and
run their after-step hooks, as ``package_record_event`` does for one parcel."""

import pytest

from dispatches.movements import check_bag, dispatch_bags, receive_bag
from shipments import guards
from shipments.exceptions import ShipmentError
from shipments.models import Package
from shipments.rules import Problem

from .test_movements import closed_bag

pytestmark = pytest.mark.django_db


@pytest.fixture
def another_app(monkeypatch):
    """An app guarding the parcels in ``held`` (refusing every step of theirs) and noting the steps it sees."""

    class App:
        def __init__(self):
            self.held: set[int] = set()
            self.seen: list[tuple[str, str]] = []

    app = App()

    def guard(package, status, office):
        if package.pk in app.held:
            return [Problem("payment", "Held.", f"{package.tracking_number} is held at {office.code}.", "held")]
        return []

    monkeypatch.setattr(guards, "_GUARDS", [guard])
    monkeypatch.setattr(guards, "_AFTER", [lambda package, status: app.seen.append((package.tracking_number, status))])
    monkeypatch.setattr(guards, "_CONCERNED", [lambda ids: set(ids)])
    return app


def test_a_dispatch_is_refused_for_a_parcel_a_guard_holds_and_runs_the_hooks_once_it_goes(
    nyc, bos, nyc_clerk, bos_clerk, accepted, another_app
):
    parcels = [accepted(), accepted()]
    bag = closed_bag(nyc_clerk, nyc, bos, parcels)
    another_app.held, another_app.seen = {parcels[1].pk}, []
    with pytest.raises(ShipmentError, match=f"{parcels[1].tracking_number} is held at NYC01."):
        dispatch_bags(actor=nyc_clerk, bags=[bag])
    assert set(Package.objects.values_list("status", flat=True)) == {"accepted"}
    assert another_app.seen == []

    another_app.held = set()
    dispatch_bags(actor=nyc_clerk, bags=[bag])
    receive_bag(actor=bos_clerk, bag=bag)
    numbers = sorted(parcel.tracking_number for parcel in parcels)
    assert sorted(another_app.seen) == sorted(
        [(number, "in_transit") for number in numbers] + [(number, "arrived") for number in numbers]
    )


def test_a_parcel_a_guard_holds_does_not_arrive_with_its_bag(nyc, bos, nyc_clerk, bos_clerk, accepted, another_app):
    parcels = [accepted(), accepted()]
    bag = closed_bag(nyc_clerk, nyc, bos, parcels)
    dispatch_bags(actor=nyc_clerk, bags=[bag])
    another_app.held = {parcels[1].pk}
    receive_bag(actor=bos_clerk, bag=bag)
    assert dict(Package.objects.values_list("tracking_number", "status")) == {
        parcels[0].tracking_number: "arrived",
        parcels[1].tracking_number: "in_transit",
    }


def test_a_parcel_a_guard_holds_is_not_delayed_when_missing_from_its_bag(
    nyc, bos, nyc_clerk, bos_clerk, accepted, another_app
):
    parcels = [accepted(), accepted()]
    bag = closed_bag(nyc_clerk, nyc, bos, parcels)
    dispatch_bags(actor=nyc_clerk, bags=[bag])
    receive_bag(actor=bos_clerk, bag=bag)
    another_app.held = {parcels[1].pk}
    result = check_bag(actor=bos_clerk, bag=bag, found=[])
    assert set(result.missing) == {parcel.tracking_number for parcel in parcels}
    assert dict(Package.objects.values_list("tracking_number", "status")) == {
        parcels[0].tracking_number: "delayed",
        parcels[1].tracking_number: "arrived",
    }
