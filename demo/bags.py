"""Demo bags: a few in every state between the demo offices, made through the
dispatches services (so they obey the same rules), and a few parcels accepted
at NYC01 for BOS01 left loose for a clerk to put in a bag. Their parcels are
registered today at the counter by the office's clerk, paid by card or
prepaid (``counter.registration.register_at_counter``; no till: today's cash is the user's)."""

import random
from decimal import Decimal

from django.db import transaction

from counter.models import Method
from counter.registration import register_at_counter
from dispatches.models import Bag, Category
from dispatches.movements import check_bag, dispatch_bags, receive_bag
from dispatches.services import bag_add_parcel, bag_close, bag_open
from offices.models import Membership, Office
from shipments.models import Service
from shipments.pricing import PriceList
from shipments.values import Parcel

from .money import MONEY_SEED, demo_tender

# (origin, destination, category, state, parcels)
DEMO_BAGS = [
    ("NYC01", "BOS01", Category.STANDARD, Bag.State.CHECKED, 3),
    ("NYC01", "BOS01", Category.PRIORITY, Bag.State.RECEIVED, 2),
    ("NYC01", "CHI01", Category.STANDARD, Bag.State.DISPATCHED, 3),
    ("CHI01", "NYC01", Category.STANDARD, Bag.State.DISPATCHED, 2),
    ("BOS01", "NYC01", Category.STANDARD, Bag.State.CLOSED, 2),
    ("NYC01", "MIA01", Category.PRIORITY, Bag.State.OPEN, 1),
]
LOOSE_PARCELS = 4  # accepted at NYC01 for BOS01, standard: what the README's walk-through bags


def _accepted(
    rng: random.Random,
    paying: random.Random,
    origin: Office,
    destination: Office,
    service: str,
    price_list: PriceList,
    party,
):
    # How it is paid comes from a generator of its own (``paying``): the parcels stay what they were.
    method = Method.CARD if paying.random() < 0.6 else Method.PREPAID
    return register_at_counter(
        actor=Membership.objects.get(office=origin, role=Membership.Role.CLERK).user,
        payment=demo_tender(paying, method, Decimal("0")),
        parcel=Parcel(
            origin_office=origin,
            destination_office=destination,
            service=service,
            weight_grams=rng.randrange(200, 5000),
            length_cm=rng.randrange(10, 40),
            width_cm=rng.randrange(10, 30),
            height_cm=rng.randrange(5, 20),
            declared_value=Decimal(rng.choice([0, 0, 50])),
        ),
        price_list=price_list,
        sender=party(rng, origin),
        receiver=party(rng, destination),
        accept=True,
    )


def seed_demo_bags(offices: list[Office], summary, party) -> None:
    """Bags in every state, once (a rerun changes nothing)."""
    if Bag.objects.exists():
        summary.add("bags unchanged", Bag.objects.count())
        return
    by_code = {office.code: office for office in offices}
    rng = random.Random(20261207)
    paying = random.Random(MONEY_SEED + 1)
    price_list = PriceList.load()
    with transaction.atomic():
        for origin_code, destination_code, category, state, count in DEMO_BAGS:
            origin, destination = by_code[origin_code], by_code[destination_code]
            service = Service.STANDARD if category == Category.STANDARD else Service.EXPRESS
            bag = bag_open(actor=None, origin_office=origin, destination_office=destination, category=category)
            parcels = [_accepted(rng, paying, origin, destination, service, price_list, party) for _ in range(count)]
            for package in parcels:
                bag_add_parcel(actor=None, bag=bag, package=package)
            if state != Bag.State.OPEN:
                bag = bag_close(actor=None, bag=bag, weight_kg=f"{count * 1.5:.1f}", seal=f"DEMO-{bag.pk:04d}")
            if state in (Bag.State.DISPATCHED, Bag.State.RECEIVED, Bag.State.CHECKED):
                dispatch_bags(actor=None, bags=[bag])
            if state in (Bag.State.RECEIVED, Bag.State.CHECKED):
                receive_bag(actor=None, bag=bag)
            if state == Bag.State.CHECKED:
                # One parcel went missing on the way: an open discrepancy for HQ.
                found = [package.tracking_number for package in parcels[1:]]
                check_bag(actor=None, bag=bag, found=found, weight_kg=f"{count * 1.5 - 0.5:.1f}")
            summary.add("bags created")
        for _ in range(LOOSE_PARCELS):
            _accepted(rng, paying, by_code["NYC01"], by_code["BOS01"], Service.STANDARD, price_list, party)
        summary.add("packages created", LOOSE_PARCELS)
