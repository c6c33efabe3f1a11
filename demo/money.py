"""The demo's money at the counter (``counter/``): every demo parcel paid when
it was registered (cash with change, card with its last four and the
terminal's reference, prepaid), the cancelled ones paid back the same way,
each clerk's cash in a till cashed up that evening (one of them 0.50 short),
every past day with money closed by its office's manager, and two cash on
delivery parcels: one delivered with its COD collected (owed to its sender,
not paid out yet), one out for delivery at NYC01 with its COD still to collect.

The counter's services record money *now*, and the demo's history happened
over the last three months: its rows are written here as those services
write them, checked by the rules they use (``counter.rules``: tenders,
payouts, refunds, COD, variances; ``counter.tills.till_expected``; a closed
day keeps ``counter.days.day_summary``'s totals). Today is the user's: no
till is left open and no office's today is closed. The parcels bagged today
are paid through ``counter.registration.register_at_counter`` (``demo.bags``).
Draws come from a generator of their own, so the demo's tracking numbers and
parcels stay what the README shows.
"""

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_CEILING, Decimal

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from counter.cod import charge_cod_fee
from counter.days import day_summary
from counter.models import DayClose, Method, PackageAccount, Payment, Till
from counter.rules import (
    ZERO,
    cod_problems,
    payment_problems,
    payout_problems,
    tender_problems,
    variance_problems,
)
from counter.services import Tender, new_payment, office_day, office_settings
from counter.tills import till_expected
from offices.models import Membership, Office
from shipments.days import day_bounds
from shipments.models import Package, TrackingEvent
from shipments.pricing import PriceList
from shipments.rules import CENT, refuse
from shipments.statuses import Status
from shipments.times import office_zone

MONEY_SEED = 20261223
METHODS = [Method.CASH] * 5 + [Method.CARD] * 3 + [Method.PREPAID] * 2
FLOATS = [Decimal("100.00"), Decimal("150.00"), Decimal("200.00")]
# Cash is handed over rounded up to one of these (the rest is the change).
ROUNDING = [Decimal("1"), Decimal("5"), Decimal("10"), Decimal("20")]
SHORT = Decimal("-0.50")  # NYC01's latest past till came out short
SHORT_NOTE = "Counted twice: 0.50 short, change given wrongly."
COD_DELIVERED = Decimal("85.00")  # collected at the destination, owed to the sender
COD_TO_COLLECT = Decimal("60.00")  # out for delivery at NYC01: a clerk there collects it
COD_OFFICE = "NYC01"


def demo_tender(rng: random.Random, method: str, amount: Decimal) -> Tender:
    """How a demo customer pays ``amount``: cash rounded up, a card, prepaid postage."""
    if method == Method.CASH:
        step = rng.choice(ROUNDING)
        handed = (amount / step).to_integral_value(ROUND_CEILING) * step
        return Tender(method=method, amount_tendered=handed.quantize(CENT))
    if method == Method.CARD:
        reference, last4 = f"AUTH{rng.randrange(10**6):06d}", f"{rng.randrange(10**4):04d}"
        return Tender(method=method, reference=reference, card_last4=last4)
    return Tender(method=method, reference=f"PP-{rng.randrange(10**8):08d}")


@dataclass(eq=False)
class _Money:
    """One payment to write: what ``counter.services.insert_payment`` records."""

    package: Package
    kind: str
    tender: Tender
    amount: Decimal  # signed: a refund is negative
    office: Office
    clerk: User
    at: datetime

    @property
    def day(self) -> date:
        return office_day(self.office, self.at)


def seed_demo_money(offices: list[Office], summary) -> None:
    """The counter's history of the demo parcels, once: a rerun changes nothing."""
    if Till.objects.exists() or DayClose.objects.exists():
        summary.add("payments unchanged", Payment.objects.count())
        return
    # The demo's own parcels (registered by a clerk of a demo office; generated ones have nobody), not paid yet.
    packages = list(
        Package.objects.filter(created_by__isnull=False, account__isnull=True, origin_office__in=offices)
        .select_related("origin_office", "destination_office")
        .order_by("pk")
    )
    if not packages:
        summary.add("payments unchanged", Payment.objects.count())
        return
    staff: dict[tuple[int, str], User] = {
        (m.office_id, m.role): m.user for m in Membership.objects.select_related("user")
    }
    rng = random.Random(MONEY_SEED)
    now = timezone.now()
    with transaction.atomic():
        cod = _cod_parcels(packages, now)
        accounts, rows = _plan(rng, packages, cod, staff)
        PackageAccount.objects.bulk_create(accounts)
        for account in accounts:
            if account.cod_fee:
                charge_cod_fee(account.package, account.cod_fee)
        tills = _write(rng, rows)
        closed = _close_days(rows, tills, staff, now)
    summary.add("payments created", len(rows))
    summary.add("tills created", len(tills))
    summary.add("days closed", closed)


def _cod_parcels(packages: list[Package], now: datetime) -> dict[int, Decimal]:
    """The two COD parcels: the latest delivered parcel sent from NYC01 (delivered
    before yesterday, so its day is closed), and the latest parcel out for
    delivery (else waiting for pickup) at NYC01."""
    delivered = [
        p
        for p in packages
        if p.status == Status.DELIVERED and p.delivered_at and p.delivered_at < now - timedelta(days=1)
    ]
    at_nyc = [
        p
        for p in packages
        if p.destination_office.code == COD_OFFICE
        and p.current_office_id == p.destination_office_id
        and p.status in (Status.OUT_FOR_DELIVERY, Status.READY_FOR_PICKUP)
    ]
    cod = {}
    sent = [p for p in delivered if p.origin_office.code == COD_OFFICE] or delivered
    if sent:
        cod[max(sent, key=lambda p: p.created_at).pk] = COD_DELIVERED
    if at_nyc:
        latest = max(at_nyc, key=lambda p: (p.status == Status.OUT_FOR_DELIVERY, p.created_at))
        cod[latest.pk] = COD_TO_COLLECT
    return cod


def _plan(rng, packages, cod, staff) -> tuple[list[PackageAccount], list[_Money]]:
    """Each parcel's account and its payments: paid at registration, paid back
    when cancelled, its COD collected just before it was delivered."""
    price_list = PriceList.load()
    moments = {
        (package_id, status): occurred_at
        for package_id, status, occurred_at in TrackingEvent.objects.filter(
            package__in=[p.pk for p in packages], status__in=[Status.CANCELLED, Status.DELIVERED]
        ).values_list("package_id", "status", "occurred_at")
    }
    accounts, rows = [], []
    for package in packages:
        origin, destination = package.origin_office, package.destination_office
        clerk = staff[(origin.pk, Membership.Role.CLERK)]
        cod_amount = cod.get(package.pk, ZERO)
        cod_fee = price_list.tariffs[package.service].cod_fee if cod_amount else ZERO
        due = package.cost_total + cod_fee
        currency = package.cost_currency
        accounts.append(
            PackageAccount(package=package, due=due, cod_amount=cod_amount, cod_fee=cod_fee, currency=currency)
        )
        method = rng.choice(METHODS)
        tender = demo_tender(rng, method, due)
        refuse(
            tender_problems(
                method=method,
                amount=due,
                tendered=tender.amount_tendered,
                reference=tender.reference,
                card_last4=tender.card_last4,
            )
        )
        rows.append(_Money(package, Payment.Kind.PAYMENT, tender, due, origin, clerk, package.created_at))
        if package.status == Status.CANCELLED:
            reference = "" if method == Method.CASH else f"RF-{tender.reference}"
            back = Tender(method=method, reference=reference)
            refuse(payout_problems(method=method, reference=reference))
            refuse(
                payment_problems(
                    kind=Payment.Kind.REFUND,
                    amount=-due,
                    due=due,
                    paid=due,
                    status=package.status,
                    method=method,
                    paid_by_method={method: due},
                )
            )
            cancelled_at = moments[(package.pk, Status.CANCELLED)]
            rows.append(_Money(package, Payment.Kind.REFUND, back, -due, origin, clerk, cancelled_at))
        if cod_amount and package.status == Status.DELIVERED:
            collect = demo_tender(rng, Method.CASH, cod_amount)
            refuse(
                cod_problems(
                    cod_amount=cod_amount,
                    amount=cod_amount,
                    collected=False,
                    status=Status.OUT_FOR_DELIVERY,  # what it was until it was handed over
                    at_destination=True,
                    currency=currency,
                    method=collect.method,
                    returning=False,
                )
            )
            at = moments[(package.pk, Status.DELIVERED)] - timedelta(minutes=5)
            receiving = staff[(destination.pk, Membership.Role.CLERK)]
            rows.append(_Money(package, Payment.Kind.COD, collect, cod_amount, destination, receiving, at))
    return accounts, rows


def _payment(row: _Money, till: Till | None) -> Payment:
    return new_payment(
        package=row.package,
        kind=row.kind,
        tender=row.tender,
        amount=row.amount,
        office=row.office,
        day=row.day,
        clerk=row.clerk,
        at=row.at,
        till=till,
    )


def _write(rng, rows: list[_Money]) -> list[Till]:
    """The payments, each clerk's cash of a day in a till of its own, opened
    before the first and cashed up after the last (one at a time: a clerk has
    one open till); a card or prepaid payment taken while it was open is in it."""
    shifts: dict[tuple[int, date, int], list[_Money]] = defaultdict(list)
    for row in rows:
        shifts[(row.office.pk, row.day, row.clerk.pk)].append(row)
    cash_shifts = [key for key, group in shifts.items() if any(r.tender.method == Method.CASH for r in group)]
    nyc = [key for key in cash_shifts if shifts[key][0].office.code == COD_OFFICE]
    short = max(nyc, key=lambda key: key[1]) if nyc else None
    tills, payments = [], []
    for key in sorted(cash_shifts, key=lambda key: (key[1], key)):
        group = shifts.pop(key)
        office, day, clerk = group[0].office, key[1], group[0].clerk
        start, end = day_bounds(day, day, office_zone(office))
        cash_times = [r.at for r in group if r.tender.method == Method.CASH]
        opened_at = max(min(cash_times) - timedelta(minutes=20), start)
        closed_at = min(max(cash_times) + timedelta(minutes=30), end - timedelta(seconds=1))
        till = Till.objects.create(
            office=office,
            clerk=clerk,
            day=day,
            opened_at=opened_at,
            opening_float=rng.choice(FLOATS),
            currency=settings.PRICING_CURRENCY,
        )
        inside = [r for r in group if r.tender.method == Method.CASH or opened_at <= r.at <= closed_at]
        Payment.objects.bulk_create(_payment(r, till) for r in inside)
        payments += [_payment(r, None) for r in group if r not in inside]
        expected = till_expected(till)
        variance, note = (SHORT, SHORT_NOTE) if key == short else (ZERO, "")
        refuse(variance_problems(variance=variance, limit=office_settings(office).variance_limit, note=note))
        till.closed_at, till.closed_by = closed_at, clerk
        till.expected, till.counted, till.variance, till.note = expected, expected + variance, variance, note
        till.save()
        tills.append(till)
    payments += [_payment(r, None) for group in shifts.values() for r in group]
    Payment.objects.bulk_create(payments)
    return tills


def _close_days(rows: list[_Money], tills: list[Till], staff, now: datetime) -> int:
    """Every office's past day with money, closed by its manager after the last
    till was cashed up, with the totals the day close keeps. Today stays open."""
    last: dict[tuple[int, date], datetime] = {}
    offices: dict[int, Office] = {}
    moments = [(r.office, r.day, r.at) for r in rows] + [(t.office, t.day, t.closed_at) for t in tills]
    for office, day, moment in moments:
        offices[office.pk] = office
        last[(office.pk, day)] = max(moment, last.get((office.pk, day), moment))
    closes = 0
    for (office_id, day), moment in sorted(last.items(), key=lambda item: (item[0][1], item[0][0])):
        office = offices[office_id]
        if day >= office_day(office, now):
            continue
        _, end = day_bounds(day, day, office_zone(office))
        DayClose.objects.create(
            office=office,
            day=day,
            closed_at=min(moment + timedelta(minutes=15), end - timedelta(seconds=1)),
            closed_by=staff[(office_id, Membership.Role.MANAGER)],
            totals=day_summary(office, day).totals(),
        )
        closes += 1
    return closes
