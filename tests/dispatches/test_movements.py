"""A closed bag moved as one: dispatched (every parcel in transit, set-based,
with its outbox rows), received with one scan, opened and checked; and a parcel
in a bag refused wherever it would move on its own."""

import csv
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from rest_framework.test import APIClient

from dispatches.models import Bag, Discrepancy
from dispatches.movements import check_bag, dispatch_bags, receive_bag
from dispatches.selectors import discrepancies_open
from dispatches.services import bag_add_parcel, bag_close, bag_open
from notifications.models import Notification
from shipments.batches import package_move_batch, package_scan_batch
from shipments.exceptions import OfficeNotAllowed, ShipmentError
from shipments.models import Package
from shipments.services import package_record_event
from tests.factories import OfficeFactory, clerk_at

pytestmark = pytest.mark.django_db


def closed_bag(clerk, origin, destination, packages, *, weight="5.0", seal="S-1"):
    bag = bag_open(actor=clerk, origin_office=origin, destination_office=destination, category="C")
    for package in packages:
        bag_add_parcel(actor=clerk, bag=bag, package=package)
    return bag_close(actor=clerk, bag=bag, weight_kg=weight, seal=seal)


def timeline(package):
    return list(Package.objects.get(pk=package.pk).events.values_list("status", "office__code", "source", "note"))


def test_dispatching_moves_every_parcel_in_transit_set_based_with_outbox_rows(
    nyc, bos, nyc_clerk, accepted, django_assert_max_num_queries
):
    parcels = [accepted() for _ in range(6)]
    first = closed_bag(nyc_clerk, nyc, bos, parcels[:3])
    second = closed_bag(nyc_clerk, nyc, bos, parcels[3:], seal="S-2")
    outbox_before = Notification.objects.count()
    # Set-based: the same number of queries for 6 parcels as for 600.
    with django_assert_max_num_queries(30):
        dispatch = dispatch_bags(actor=nyc_clerk, bags=[first, second])
    assert dispatch.identifier == first.identifier[:20] == second.identifier[:20]
    assert dispatch.state == "dispatched"
    for package in parcels[:3]:
        assert timeline(package)[-1] == ("in_transit", "NYC01", "bag", f"In bag {first.identifier}")
        assert Package.objects.get(pk=package.pk).current_office_id is None
    assert set(Bag.objects.values_list("state", flat=True)) == {"dispatched"}
    # One topic message per event, written in the dispatch's transaction.
    assert Notification.objects.count() - outbox_before == 6
    # Sent again (a retry): applied once, the same dispatch answered.
    again = dispatch_bags(actor=nyc_clerk, bags=[first, second])
    assert again.pk == dispatch.pk
    assert [status for status, *_ in timeline(parcels[0])].count("in_transit") == 1


def test_a_dispatch_takes_closed_bags_of_one_dispatch_all_together(nyc, bos, mia, nyc_clerk, bos_clerk, accepted):
    first = closed_bag(nyc_clerk, nyc, bos, [accepted()])
    second = closed_bag(nyc_clerk, nyc, bos, [accepted()], seal="S-2")
    elsewhere = closed_bag(nyc_clerk, nyc, mia, [accepted(destination=mia)])
    still_open = bag_open(actor=nyc_clerk, origin_office=nyc, destination_office=bos, category="C")
    with pytest.raises(ShipmentError, match="closed for the same dispatch"):
        dispatch_bags(actor=nyc_clerk, bags=[first])
    with pytest.raises(ShipmentError, match="different dispatches"):
        dispatch_bags(actor=nyc_clerk, bags=[first, second, elsewhere])
    with pytest.raises(ShipmentError, match="Only closed bags"):
        dispatch_bags(actor=nyc_clerk, bags=[still_open])
    with pytest.raises(OfficeNotAllowed):
        dispatch_bags(actor=bos_clerk, bags=[first, second])
    assert Package.objects.filter(status="in_transit").count() == 0


def test_a_parcel_in_a_bag_is_refused_wherever_it_would_move_alone(nyc, bos, nyc_clerk, accepted, tmp_path):
    package = accepted()
    bag = closed_bag(nyc_clerk, nyc, bos, [package])
    message = f"{package.tracking_number} is in bag {bag.identifier}: it moves with its bag until the bag is received."
    with pytest.raises(ShipmentError, match="moves with its bag") as refused:
        package_record_event(package=package, status="in_transit", actor=nyc_clerk)
    assert refused.value.code == "in_bag"
    # The scan page's batch and the admin's bulk actions.
    scanned = package_scan_batch(actor=nyc_clerk, office=nyc, status="in_transit", lines=[package.tracking_number])
    assert (scanned[0].outcome, scanned[0].message) == ("refused", message)
    moved = package_move_batch(actor=nyc_clerk, packages=[package], status="out_for_delivery")
    assert moved[0].message == message
    # The API.
    api = APIClient()
    api.force_authenticate(nyc_clerk)
    answer = api.post(f"/api/v1/packages/{package.tracking_number}/events/", {"status": "in_transit"}, format="json")
    assert answer.status_code == 409
    assert answer.json()["error"]["message"] == message
    # An import of partner events: the row is rejected with its line and reason.
    source = tmp_path / "events.csv"
    now = timezone.now().isoformat()
    source.write_text(f"tracking_number,status,office,occurred_at\n{package.tracking_number},in_transit,NYC01,{now}\n")
    errors = tmp_path / "errors.csv"
    with pytest.raises(CommandError):  # rejected rows: a non-zero exit
        call_command("import_events", str(source), "--errors", str(errors), stdout=io.StringIO(), stderr=io.StringIO())
    assert list(csv.reader(errors.open()))[1:] == [["2", "package", message]]
    # A delay moves nothing: the ETA watch may still record one.
    package_record_event(package=package, status="delayed", reason="weather")
    assert [status for status, *_ in timeline(package)] == ["created", "accepted", "delayed"]


def test_receiving_a_bag_with_one_scan_moves_every_parcel_and_releases_them(
    nyc, bos, mia, nyc_clerk, bos_clerk, accepted
):
    parcels = [accepted(), accepted(destination=mia)]
    bag = closed_bag(nyc_clerk, nyc, bos, parcels)
    with pytest.raises(ShipmentError, match="has not been dispatched yet"):
        receive_bag(actor=bos_clerk, bag=bag)
    dispatch_bags(actor=nyc_clerk, bags=[bag])
    hq_at_nyc = clerk_at(nyc, bos, username="both")
    with pytest.raises(ShipmentError, match=f"Bag {bag.identifier} is going to BOS01, not here."):
        receive_bag(actor=hq_at_nyc, bag=bag, office=nyc)
    with pytest.raises(OfficeNotAllowed):
        receive_bag(actor=nyc_clerk, bag=bag, office=bos)
    received = receive_bag(actor=bos_clerk, bag=bag)
    assert received.state == "received"
    for package in parcels:
        assert timeline(package)[-1] == ("arrived", "BOS01", "bag", f"From bag {bag.identifier}")
    again = receive_bag(actor=bos_clerk, bag=bag)  # a retried request
    assert again.state == "received"
    assert [status for status, *_ in timeline(parcels[0])].count("arrived") == 1
    # Released: the parcel goes on its own way again.
    package_record_event(package=parcels[1], status="in_transit", actor=bos_clerk)


def test_checking_finds_missing_and_extra_parcels_and_hq_sees_the_discrepancy(
    nyc, bos, nyc_clerk, bos_clerk, accepted, hq
):
    listed = [accepted(), accepted(), accepted()]
    bag = closed_bag(nyc_clerk, nyc, bos, listed, weight="6.0")
    stray = accepted()
    other = closed_bag(nyc_clerk, nyc, bos, [stray], seal="S-2")
    dispatch_bags(actor=nyc_clerk, bags=[bag, other])
    receive_bag(actor=bos_clerk, bag=bag)
    with pytest.raises(ShipmentError) as refused:
        check_bag(actor=bos_clerk, bag=bag, found=["nonsense"], weight_kg="5.8")
    assert "nonsense" in refused.value.details["found"]

    result = check_bag(
        actor=bos_clerk,
        bag=bag,
        found=[listed[0].tracking_number, listed[1].tracking_number, stray.tracking_number],
        weight_kg="5.8",
    )
    assert result.missing == [listed[2].tracking_number]
    assert result.extra == [stray.tracking_number]
    assert (str(result.declared_kg), str(result.weighed_kg)) == ("6.0", "5.8")
    missing = Package.objects.get(pk=listed[2].pk)
    assert (missing.status, missing.current_office_id) == ("delayed", None)  # on hand nowhere
    assert timeline(missing)[-1][:3] == ("delayed", "BOS01", "bag")
    assert missing.events.last().get_reason_display() == "Missing from bag"
    # The extra parcel arrived here and is off its own bag's list.
    assert timeline(stray)[-1] == ("arrived", "BOS01", "bag", f"Found in bag {bag.identifier}")
    assert other.items.filter(found_in__isnull=True).count() == 0
    assert bag.events.last().note == "1 missing, 1 extra"
    # HQ and both offices see the open discrepancy; it closes when the parcel is scanned again.
    for viewer in (hq, nyc_clerk, bos_clerk):
        assert [d.package_id for d in discrepancies_open(viewer)] == [missing.pk]
    outsider = clerk_at(OfficeFactory(code="CHI01"))
    assert list(discrepancies_open(outsider)) == []
    with pytest.raises(ShipmentError, match="checked already"):
        check_bag(actor=bos_clerk, bag=bag, found=[], weight_kg="")
    package_record_event(package=missing, status="arrived", office=bos, actor=bos_clerk)
    assert list(discrepancies_open(hq)) == []
    assert Discrepancy.objects.count() == 2

    # The other bag, received later, no longer lists the stray parcel: nothing is missing from it.
    receive_bag(actor=bos_clerk, bag=other)
    quiet = check_bag(actor=bos_clerk, bag=other, found=[])
    assert (quiet.missing, quiet.extra) == ([], [])
    assert other.discrepancies.count() == 0
