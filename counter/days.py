"""An office's day at the counter: what was taken, paid back and collected,
the tills and their variances, the parcels registered; and the day close,
after which nothing of that day changes (``services.day_lock``)."""

import io
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone

from imports import csv_cells
from offices import access
from offices.models import Office
from shipments.days import day_bounds
from shipments.exceptions import OfficeNotAllowed, ShipmentError
from shipments.models import Package
from shipments.times import office_zone

from .models import DayClose, Method, Payment, Till
from .rules import ZERO
from .services import Conflict, day_lock, office_day


@dataclass
class DaySummary:
    """One office's day (or the network's: ``office`` None), every amount in ``currency``."""

    office: Office | None
    day: date
    currency: str
    by_method: dict[str, Decimal] = field(default_factory=dict)  # net money in per method
    payments: Decimal = ZERO
    refunds: Decimal = ZERO  # negative: paid back
    corrections: Decimal = ZERO
    cod_collected: Decimal = ZERO
    cod_count: int = 0
    payment_count: int = 0
    variance: Decimal = ZERO
    parcels_registered: int = 0
    tills: list[Till] = field(default_factory=list)
    closed: DayClose | None = None
    offices: list["DaySummary"] = field(default_factory=list)  # the network's: each office's day

    @property
    def total(self) -> Decimal:
        return sum(self.by_method.values(), ZERO)

    @property
    def open_tills(self) -> int:
        return sum(1 for till in self.tills if till.is_open)

    @property
    def key(self) -> str:
        return self.office.code if self.office is not None else "network"

    def totals(self) -> dict[str, Any]:
        """The numbers, as a DayClose keeps them (amounts as strings)."""
        return {
            "currency": self.currency,
            "by_method": {method: str(amount) for method, amount in self.by_method.items()},
            "total": str(self.total),
            "payments": str(self.payments),
            "refunds": str(self.refunds),
            "corrections": str(self.corrections),
            "cod_collected": str(self.cod_collected),
            "cod_count": self.cod_count,
            "payment_count": self.payment_count,
            "variance": str(self.variance),
            "parcels_registered": self.parcels_registered,
            "tills": len(self.tills),
        }


_KIND_FIELD = {
    Payment.Kind.PAYMENT: "payments",
    Payment.Kind.REFUND: "refunds",
    Payment.Kind.CORRECTION: "corrections",
    Payment.Kind.COD: "cod_collected",
    Payment.Kind.COD_RETURN: "cod_collected",  # given back the same day or later: the day's COD, net
}


def _add_payments(summary: DaySummary, rows: Any) -> None:
    """Rows of (kind, method, total, count) into the summary."""
    for kind, method, total, count in rows:
        summary.by_method[method] = summary.by_method.get(method, ZERO) + total
        setattr(summary, _KIND_FIELD[kind], getattr(summary, _KIND_FIELD[kind]) + total)
        summary.payment_count += count
        if kind == Payment.Kind.COD:
            summary.cod_count += count


def day_summary(office: Office, day: date) -> DaySummary:
    """The office's day: four queries, whatever the number of payments (index payment_office_day_idx)."""
    summary = DaySummary(office=office, day=day, currency=settings.PRICING_CURRENCY)
    summary.by_method = dict.fromkeys(Method.values, ZERO)
    rows = (
        Payment.objects.filter(office=office, day=day)
        .values_list("kind", "method")
        .annotate(total=Sum("amount"), count=Count("id"))
        .order_by()
    )
    _add_payments(summary, rows)
    summary.tills = list(Till.objects.filter(office=office, day=day).select_related("clerk").order_by("opened_at"))
    summary.variance = sum((till.variance or ZERO for till in summary.tills), ZERO)
    start, end = day_bounds(day, day, office_zone(office))
    summary.parcels_registered = Package.objects.filter(
        origin_office=office, created_at__gte=start, created_at__lt=end
    ).count()
    summary.closed = DayClose.objects.filter(office=office, day=day).select_related("closed_by").first()
    return summary


def network_summary(day: date) -> DaySummary:
    """Every office's day with any money or parcels (HQ), and their sum."""
    network = DaySummary(office=None, day=day, currency=settings.PRICING_CURRENCY)
    network.by_method = dict.fromkeys(Method.values, ZERO)
    by_office: dict[int, list[Any]] = defaultdict(list)
    rows = (
        Payment.objects.filter(day=day)
        .values_list("office_id", "kind", "method")
        .annotate(total=Sum("amount"), count=Count("id"))
        .order_by()
    )
    for office_id, kind, method, total, count in rows:
        by_office[office_id].append((kind, method, total, count))
    office_ids = set(by_office) | set(Till.objects.filter(day=day).values_list("office_id", flat=True))
    for office in Office.objects.filter(pk__in=office_ids).order_by("code"):
        summary = day_summary(office, day)
        network.offices.append(summary)
        _add_payments(network, by_office.get(office.pk, []))
        network.variance += summary.variance
        network.parcels_registered += summary.parcels_registered
        network.tills += summary.tills
    return network


def day_problem(day: date, today: date) -> str | None:
    """A day that can be shown or closed: not in the future, within the calendar the back-office counts."""
    from shipments.days import day_out_of_range

    if day > today:
        return "This day has not come yet."
    return day_out_of_range(day)


@transaction.atomic
def day_close(*, actor: User, office: Office, day: date) -> DayClose:
    """Close the office's day: a manager's (or HQ's), once every till of the day
    is cashed up. Waits for the payments under way (the day's lock), then refuses any more."""
    if not access.may_manage(actor, office):
        raise OfficeNotAllowed(f"The day close of {office.code} is for its managers and HQ.")
    problem = day_problem(day, office_day(office))
    if problem:
        raise ShipmentError(problem, details={"date": problem})
    day_lock(office, day, exclusive=True)
    open_tills = Till.objects.select_for_update().filter(office=office, day__lte=day, closed_at__isnull=True)
    still_open = [f"{till.clerk.get_username()} (till {till.pk})" for till in open_tills.select_related("clerk")]
    if still_open:
        raise Conflict(
            f"Cash up every till of the day first: still open at {office.code}: {', '.join(still_open)}.",
            code="tills_open",
            details={"tills": still_open},
        )
    summary = day_summary(office, day)
    return DayClose.objects.create(
        office=office, day=day, closed_at=timezone.now(), closed_by=actor, totals=summary.totals()
    )


CSV_COLUMNS = ["office", "day", "line", "method", "amount", "count", "currency"]


def write_csv(summary: DaySummary) -> str:
    """The day as CSV (office codes neutralised by imports.csv_cells): one line per total."""
    out = io.StringIO()
    writer = csv_cells.writer(out)
    writer.writerow(CSV_COLUMNS)
    lines = [summary, *summary.offices]
    for item in lines:
        base = [item.key, item.day.isoformat()]
        for method, amount in item.by_method.items():
            writer.writerow([*base, "method", method, amount, "", item.currency])
        for name in ("payments", "refunds", "corrections", "cod_collected", "variance"):
            writer.writerow([*base, name, "", getattr(item, name), "", item.currency])
        writer.writerow([*base, "total", "", item.total, item.payment_count, item.currency])
        writer.writerow([*base, "parcels_registered", "", "", item.parcels_registered, ""])
        for till in item.tills:
            writer.writerow(
                [*base, f"till {till.pk} {till.clerk.get_username()}", "cash", till.variance, "", item.currency]
            )
    return out.getvalue()


def csv_filename(summary: DaySummary) -> str:
    return f"day-{summary.key}-{summary.day}.csv"
