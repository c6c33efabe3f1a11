"""Bags on the 1M database: a closed bag moves as one, set-based.

Keys: ``bag_dispatch_ms_per_1000`` (10 closed bags holding 1,000 parcels in all
dispatched: events and outbox rows written), ``bag_receive_ms_per_1000``
(receiving them), ``scan_batch_ms_per_1000`` (another 1,000 parcels moved one by
one through the scan batch, in the same run) and ``bag_add_parcel_ms`` (one
parcel scanned into an open bag holding 500, median of 20). Goals: dispatch and
receive each ≤ 0.1 × the scan batch and < 1,500 ms; adding < 30 ms.
``BENCH_BAG_PARCELS`` (default 1000) scales the run down while iterating.
"""

import os
import statistics
import time

PARCELS = int(os.environ.get("BENCH_BAG_PARCELS", 1000))
BAGS = 10
FULL_BAG = 500
ADDED = 20


def _accepted(origin, destination, count: int) -> list:
    from decimal import Decimal

    from notifications.muting import muted
    from shipments.models import Service
    from shipments.pricing import PriceList
    from shipments.services import package_register
    from shipments.values import Address, Parcel, Party

    price_list = PriceList.load()
    party = Party(name="Bench Sender", address=Address(line1="1 Main St", city="New York", country="US"))
    with muted():  # the set-up is not measured: registering notifies nobody here
        return [
            package_register(
                actor=None,
                parcel=Parcel(
                    origin_office=origin,
                    destination_office=destination,
                    service=Service.STANDARD,
                    weight_grams=1000,
                    length_cm=20,
                    width_cm=20,
                    height_cm=10,
                    declared_value=Decimal(0),
                ),
                sender=party,
                receiver=party,
                accept=True,
                price_list=price_list,
            )
            for _ in range(count)
        ]


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)


def run(bench) -> dict:
    from django.contrib.auth import get_user_model

    from dispatches.models import Bag, BagItem, Category
    from dispatches.movements import dispatch_bags, receive_bag
    from dispatches.services import bag_add_parcel, bag_close, bag_open
    from offices.models import Office
    from shipments.batches import package_scan_batch

    bench.use("1m")
    nyc, bos = Office.objects.get(code="NYC01"), Office.objects.get(code="BOS01")
    users = get_user_model().objects
    nyc_clerk, bos_clerk = users.get(username="clerk.nyc01"), users.get(username="clerk.bos01")
    bagged = _accepted(nyc, bos, PARCELS + ADDED)
    scanned = _accepted(nyc, bos, PARCELS)

    # One parcel into a bag that already holds FULL_BAG.
    big = bag_open(actor=nyc_clerk, origin_office=nyc, destination_office=bos, category=Category.STANDARD)
    for package in bagged[:FULL_BAG]:
        bag_add_parcel(actor=nyc_clerk, bag=big, package=package)
    samples = []
    for package in bagged[PARCELS : PARCELS + ADDED]:
        started = time.perf_counter()
        bag_add_parcel(actor=nyc_clerk, bag=big, package=package)
        samples.append((time.perf_counter() - started) * 1000)
    BagItem.objects.filter(bag=big).delete()

    bags = []
    per_bag = PARCELS // BAGS
    for number in range(BAGS):
        bag = bag_open(actor=nyc_clerk, origin_office=nyc, destination_office=bos, category=Category.STANDARD)
        for package in bagged[number * per_bag : (number + 1) * per_bag]:
            bag_add_parcel(actor=nyc_clerk, bag=bag, package=package)
        bags.append(bag_close(actor=nyc_clerk, bag=bag, weight_kg="25.0", seal=f"BENCH-{number}"))
    # Every closed bag of the dispatch leaves together (a rerun may find others closed on the route).
    leaving = list(Bag.objects.filter(dispatch=bags[0].dispatch, state=Bag.State.CLOSED))

    started = time.perf_counter()
    dispatch_bags(actor=nyc_clerk, bags=leaving)
    dispatch_ms = _ms(started)
    started = time.perf_counter()
    for bag in bags:
        receive_bag(actor=bos_clerk, bag=bag)
    receive_ms = _ms(started)
    started = time.perf_counter()
    results = package_scan_batch(
        actor=nyc_clerk, office=nyc, status="in_transit", lines=[package.tracking_number for package in scanned]
    )
    scan_ms = _ms(started)
    assert all(result.done for result in results), [result.message for result in results if not result.done][:3]
    scale = 1000 / PARCELS
    return {
        "bag_dispatch_ms_per_1000": round(dispatch_ms * scale, 1),
        "bag_receive_ms_per_1000": round(receive_ms * scale, 1),
        "scan_batch_ms_per_1000": round(scan_ms * scale, 1),
        "bag_add_parcel_ms": round(statistics.median(samples), 2),
    }
