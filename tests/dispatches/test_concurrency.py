"""Two clerks at once, each on its own database connection: the bag and parcel
rows are locked, so exactly one of two conflicting writes wins and nothing is
half done."""

import threading

import pytest

from dispatches.models import Bag, BagItem
from dispatches.movements import dispatch_bags, receive_bag
from dispatches.services import bag_add_parcel, bag_close, bag_open
from shipments.exceptions import ShipmentError
from shipments.models import Package
from shipments.services import package_record_event

pytestmark = pytest.mark.django_db(transaction=True)


def at_once(*calls):
    """Run the calls in threads released together; each outcome is "done" or the refusal's code."""
    barrier = threading.Barrier(len(calls))
    outcomes: list = [None] * len(calls)

    def run(index, call):
        from django.db import connection as thread_connection

        try:
            barrier.wait(timeout=10)
            outcomes[index] = ("done", call())
        except ShipmentError as error:
            outcomes[index] = (error.code, error.message)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=run, args=(index, call)) for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def new_bag(clerk, nyc, bos):
    return bag_open(actor=clerk, origin_office=nyc, destination_office=bos, category="C")


def test_two_clerks_adding_one_parcel_to_two_bags_exactly_one_succeeds(nyc, bos, nyc_clerk, accepted):
    package = accepted()
    first, second = new_bag(nyc_clerk, nyc, bos), new_bag(nyc_clerk, nyc, bos)
    outcomes = at_once(
        lambda: bag_add_parcel(actor=nyc_clerk, bag=first, package=package),
        lambda: bag_add_parcel(actor=nyc_clerk, bag=second, package=package),
    )
    assert sorted(outcome for outcome, _ in outcomes) == ["done", "in_bag"]
    assert BagItem.objects.filter(package=package).count() == 1


def test_closing_a_bag_while_a_parcel_is_added_leaves_it_in_the_closed_bag_or_out(nyc, bos, nyc_clerk, accepted):
    for _ in range(3):
        bag = new_bag(nyc_clerk, nyc, bos)
        bag_add_parcel(actor=nyc_clerk, bag=bag, package=accepted())
        late = accepted()
        outcomes = dict(
            zip(
                ("add", "close"),
                at_once(
                    lambda bag=bag, late=late: bag_add_parcel(actor=nyc_clerk, bag=bag, package=late),
                    lambda bag=bag: bag_close(actor=nyc_clerk, bag=bag, weight_kg="2.0", seal="S"),
                ),
                strict=True,
            )
        )
        assert outcomes["close"][0] == "done"
        bag.refresh_from_db()
        in_bag = bag.items.filter(package=late).exists()
        assert (outcomes["add"][0] == "done") == in_bag
        if not in_bag:
            assert outcomes["add"] == ("bag_not_open", "This bag is closed: nothing more goes in.")
        # What was dispatched is what the closed bag holds.
        dispatch_bags(actor=nyc_clerk, bags=[bag])
        late.refresh_from_db()
        assert late.status == ("in_transit" if in_bag else "accepted")


def test_the_same_dispatch_sent_twice_is_applied_once(nyc, bos, nyc_clerk, accepted):
    bag = new_bag(nyc_clerk, nyc, bos)
    package = accepted()
    bag_add_parcel(actor=nyc_clerk, bag=bag, package=package)
    bag = bag_close(actor=nyc_clerk, bag=bag, weight_kg="1.0", seal="S")
    stale = Bag.objects.get(pk=bag.pk)
    outcomes = at_once(
        lambda: dispatch_bags(actor=nyc_clerk, bags=[stale]).identifier,
        lambda: dispatch_bags(actor=nyc_clerk, bags=[stale]).identifier,
    )
    assert outcomes == [("done", bag.identifier[:20])] * 2
    assert list(package.events.values_list("status", flat=True)) == ["created", "accepted", "in_transit"]


def test_the_same_receipt_sent_twice_is_applied_once(nyc, bos, nyc_clerk, bos_clerk, accepted):
    bag = new_bag(nyc_clerk, nyc, bos)
    package = accepted()
    bag_add_parcel(actor=nyc_clerk, bag=bag, package=package)
    bag = bag_close(actor=nyc_clerk, bag=bag, weight_kg="1.0", seal="S")
    dispatch_bags(actor=nyc_clerk, bags=[bag])
    outcomes = at_once(
        lambda: receive_bag(actor=bos_clerk, bag=bag).state,
        lambda: receive_bag(actor=bos_clerk, bag=bag).state,
    )
    assert outcomes == [("done", "received")] * 2
    assert list(package.events.values_list("status", flat=True)) == ["created", "accepted", "in_transit", "arrived"]


def test_a_parcel_scanned_alone_while_its_bag_is_dispatched_one_wins_and_the_timeline_stays_legal(
    nyc, bos, nyc_clerk, accepted
):
    bag = new_bag(nyc_clerk, nyc, bos)
    package = accepted()
    bag_add_parcel(actor=nyc_clerk, bag=bag, package=package)
    bag = bag_close(actor=nyc_clerk, bag=bag, weight_kg="1.0", seal="S")
    stale = Package.objects.get(pk=package.pk)  # both read "accepted, at NYC01"
    outcomes = at_once(
        lambda: dispatch_bags(actor=nyc_clerk, bags=[bag]).identifier,
        lambda: package_record_event(package=stale, status="in_transit", actor=nyc_clerk).status,
    )
    assert outcomes[0] == ("done", bag.identifier[:20])
    assert outcomes[1][0] == "in_bag"
    assert list(package.events.values_list("status", flat=True)) == ["created", "accepted", "in_transit"]
