"""Money at the counter, on the large database (counter/).

Keys: ``register_with_payment_ms`` (``register_at_counter``: a parcel registered
and paid in cash into the clerk's open till) and ``register_without_payment_ms``
(the same parcel registered unpaid, as an office may allow), medians of
alternating rounds in one run, and their ``register_payment_ratio``; goal: with
≤ 1.2 × without. ``register_plain_ms``: ``package_register`` alone, accepted (the
registration before the counter's money), for comparison. ``day_close_ms_10k``: closing an
office day holding 10,000 payments (the day's totals computed and kept), median
of three days; goal < 500 ms. ``BENCH_DAY_PAYMENTS`` scales the day down.
"""

import os
import time
from datetime import date, timedelta
from decimal import Decimal

DAY_PAYMENTS = int(os.environ.get("BENCH_DAY_PAYMENTS", 10_000))
ROUNDS, PER_ROUND = 16, 5
DAYS = 3


def _parcel(origin, destination):
    from shipments.models import Service
    from shipments.values import Parcel

    return Parcel(
        origin_office=origin,
        destination_office=destination,
        service=Service.STANDARD,
        weight_grams=1000,
        length_cm=20,
        width_cm=20,
        height_cm=10,
        declared_value=Decimal(0),
    )


def _registration_ms(nyc, bos, clerk) -> dict:
    from counter.registration import register_at_counter
    from counter.services import Tender
    from counter.tills import till_open
    from notifications.muting import muted
    from shipments.pricing import PriceList
    from shipments.services import package_register
    from shipments.values import Address, Party

    price_list = PriceList.load()
    party = Party(name="Bench Sender", address=Address(line1="1 Main St", city="New York", country="US"))
    common = {"parcel": _parcel(nyc, bos), "sender": party, "receiver": party, "accept": True, "price_list": price_list}
    till = till_open(actor=clerk, office=nyc, opening_float="100.00")
    cash = Tender(method="cash", amount_tendered=Decimal("500.00"))
    unpaid = {**common, "accept": False}
    samples: dict[str, list[float]] = {"with": [], "without": [], "plain": []}
    functions = {
        "with": lambda: register_at_counter(actor=clerk, payment=cash, **{**common, "accept": False}),
        "without": lambda: register_at_counter(actor=clerk, payment=None, **unpaid),
        "plain": lambda: package_register(actor=clerk, **common),
    }
    with muted():
        for function in functions.values():  # warm every path
            function()
        for _ in range(ROUNDS):
            for name, function in functions.items():
                for _ in range(PER_ROUND):
                    started = time.perf_counter()
                    function()
                    samples[name].append((time.perf_counter() - started) * 1000)
    till.refresh_from_db()
    from counter.tills import till_close, till_expected

    till_close(actor=clerk, till=till, counted=till_expected(till))
    return {name: round(sorted(values)[len(values) // 2], 2) for name, values in samples.items()}


def _day_close_ms(office, destination, clerk, manager) -> float:
    """Three past days of ``office`` with DAY_PAYMENTS payments each, then each closed."""
    from django.utils import timezone

    from counter.days import day_close
    from counter.models import Payment, Till
    from counter.registration import register_at_counter
    from counter.services import Tender
    from notifications.muting import muted
    from shipments.values import Address, Party

    party = Party(name="Bench Day", address=Address(line1="1 Main St", city="New York", country="US"))
    with muted():
        packages = [
            register_at_counter(
                actor=clerk,
                payment=Tender(method="prepaid", reference="B"),
                parcel=_parcel(office, destination),
                sender=party,
                receiver=party,
            )
            for _ in range(20)
        ]
    first = date(2001, 1, 1) + timedelta(days=Payment.objects.filter(day__lt=date(2002, 1, 1)).count() // DAY_PAYMENTS)
    days = [first + timedelta(days=index) for index in range(DAYS)]
    now = timezone.now()
    methods = ("cash", "card", "prepaid")
    for day in days:
        till = Till.objects.create(
            office=office,
            clerk=clerk,
            day=day,
            opened_at=now,
            opening_float=Decimal("100.00"),
            currency="USD",
            closed_at=now,
            expected=Decimal("100.00"),
            counted=Decimal("100.00"),
            variance=Decimal("0.00"),
        )
        Payment.objects.bulk_create(
            [
                Payment(
                    package=packages[index % len(packages)],
                    kind="payment",
                    method=methods[index % 3],
                    amount=Decimal("12.34"),
                    currency="USD",
                    reference="" if index % 3 == 0 else "REF",
                    card_last4="4242" if index % 3 == 1 else "",
                    office=office,
                    day=day,
                    till=till if index % 3 == 0 else None,
                    clerk=clerk,
                    recorded_at=now,
                )
                for index in range(DAY_PAYMENTS)
            ],
            batch_size=5000,
        )
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE counter_payment")
    samples = []
    for day in days:
        started = time.perf_counter()
        closed = day_close(actor=manager, office=office, day=day)
        samples.append((time.perf_counter() - started) * 1000)
        if closed.totals["payment_count"] != DAY_PAYMENTS:
            raise AssertionError(f"the day holds {closed.totals['payment_count']} payments, not {DAY_PAYMENTS}")
    return round(sorted(samples)[len(samples) // 2], 2)


def run(bench) -> dict:
    from django.conf import settings
    from django.contrib.auth import get_user_model

    from offices.models import Office

    bench.use("1m")
    settings.COUNTER_UNPAID_ALLOWED = True  # the registration without a payment
    nyc, bos = Office.objects.get(code="NYC01"), Office.objects.get(code="BOS01")
    users = get_user_model().objects
    clerk, manager = users.get(username="clerk.nyc01"), users.get(username="manager.nyc01")
    registration = _registration_ms(nyc, bos, clerk)
    return {
        "register_with_payment_ms": registration["with"],
        "register_without_payment_ms": registration["without"],
        "register_payment_ratio": round(registration["with"] / registration["without"], 2),
        "register_plain_ms": registration["plain"],
        "day_close_ms_10k": _day_close_ms(nyc, bos, clerk, manager),
    }


if __name__ == "__main__":
    print("Run through benchmarks/run.py (BENCH_ONLY=counter).")
