"""The import's hot path in memory: validate and price rows with the counter's
own rules (shipments.rules, shipments.pricing), no database per row.

Key: ``validate_and_price_rows_per_s`` (goal: at least 100,000 rows/s).
"""

import random
import time
from decimal import Decimal

ROWS = 100_000


def _rows(offices, rng: random.Random) -> list:
    from shipments.models import Service
    from shipments.values import Address, Parcel, Party

    rows = []
    for n in range(ROWS):
        origin, destination = rng.sample(offices, 2)
        address = Address(line1=f"{n} Main St", city=destination.location.city, country="US")
        rows.append(
            (
                Parcel(
                    origin_office=origin,
                    destination_office=destination,
                    service=rng.choice(Service.values),
                    weight_grams=rng.randrange(100, 30_000),
                    length_cm=rng.randrange(5, 120),
                    width_cm=rng.randrange(5, 80),
                    height_cm=rng.randrange(5, 60),
                    declared_value=Decimal(rng.choice([0, 25, 250])),
                ),
                Party(name=f"Sender {n}", address=address, phone="+12125550142", notify_sms=n % 2 == 0),
                Party(name=f"Receiver {n}", address=address, email="r@example.com", notify_email=n % 3 == 0),
            )
        )
    return rows


def validate_and_price(rows, price_list) -> tuple[int, int]:
    from shipments.rules import party_problems

    priced = rejected = 0
    for parcel, sender, receiver in rows:
        problems = party_problems("sender", sender) + party_problems("receiver", receiver)
        problems += price_list.problems(parcel)
        if problems:
            rejected += 1
        else:
            price_list.price(parcel)
            priced += 1
    return priced, rejected


def run(bench) -> dict:
    from offices.models import Office
    from shipments.pricing import PriceList

    bench.use("1k")
    offices = list(Office.objects.active().select_related("location"))
    price_list = PriceList.load()  # the one read of the tariffs
    rows = _rows(offices, random.Random(9))
    best = 0.0
    for _ in range(3):
        started = time.perf_counter()
        priced, rejected = validate_and_price(rows, price_list)
        best = max(best, ROWS / (time.perf_counter() - started))
    assert priced + rejected == ROWS, (priced, rejected)
    assert priced > ROWS * 0.9, (priced, rejected)
    return {"validate_and_price_rows_per_s": round(best)}
