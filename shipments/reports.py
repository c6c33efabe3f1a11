"""The per-office shipping cost report, shared by the admin and the API.

Sums come from Charge rows (immutable; refunds are negative), never from
re-pricing packages. Days are the office's local days.
"""

import csv
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Protocol
from zoneinfo import ZoneInfo

from django.db import connection
from django.utils import timezone

from offices.models import Office

from .days import day_bounds
from .exceptions import ShipmentError
from .models import Charge, Service

GROUPINGS = ("day", "service", "destination")
MAX_DAYS = 366
DEFAULT_DAYS = 30


@dataclass(frozen=True)
class ReportRow:
    key: str  # ISO date, service value or destination office code
    label: str
    packages: int
    revenue: Decimal

    @property
    def average_cost(self) -> Decimal:
        return (self.revenue / self.packages).quantize(Decimal("0.01")) if self.packages else Decimal("0.00")


@dataclass
class CostReport:
    office: Office
    date_from: date
    date_to: date
    currency: str
    packages: int = 0
    revenue: Decimal = Decimal("0.00")
    rows: dict[str, list[ReportRow]] = field(default_factory=dict)

    @property
    def average_cost(self) -> Decimal:
        return (self.revenue / self.packages).quantize(Decimal("0.01")) if self.packages else Decimal("0.00")


def default_range(office: Office, *, last: date | None = None) -> tuple[date, date]:
    """The 30 days up to ``last`` (default: today in the office's zone): what a
    report covers unless asked otherwise."""
    last = last or timezone.now().astimezone(ZoneInfo(office.time_zone)).date()
    return last - timedelta(days=DEFAULT_DAYS - 1), last


def cost_report(*, office: Office, date_from: date, date_to: date, group_by: tuple[str, ...] = GROUPINGS) -> CostReport:
    """Totals and breakdowns of one office's charges between two dates, inclusive.

    ``packages`` counts shipping charges less refunds, so a cancelled parcel
    counts for nothing; ``revenue`` is the sum of all charges.
    """
    if date_to < date_from:
        raise ShipmentError("The end date is before the start date.", details={"to": "Before the start date."})
    if (date_to - date_from).days >= MAX_DAYS:
        raise ShipmentError(f"A report covers at most {MAX_DAYS} days.", details={"to": "Range too long."})
    unknown = set(group_by) - set(GROUPINGS)
    if unknown:
        raise ShipmentError(
            f"Group by one of: {', '.join(GROUPINGS)}.", details={"group_by": f"Unknown: {', '.join(sorted(unknown))}"}
        )
    start, end = day_bounds(date_from, date_to, ZoneInfo(office.time_zone))
    # One pass over the office's charges for the totals and every breakdown
    # (GROUPING SETS): at a million packages an office has tens of thousands of
    # charges in a quarter, scattered over the table, and reading them once
    # instead of four times is what keeps the report fast.
    # Every breakdown is computed (it costs the same single scan); only the
    # asked ones are returned.
    table = Charge._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT GROUPING(day, service, destination_office_id) AS level, day, service, destination_office_id,
                   COUNT(*) FILTER (WHERE kind = %(shipping)s) - COUNT(*) FILTER (WHERE kind = %(refund)s),
                   SUM(total), MIN(currency)
            FROM (
                SELECT (charged_at AT TIME ZONE %(zone)s)::date AS day, service, destination_office_id, kind, total,
                       currency
                FROM {table}
                WHERE office_id = %(office)s AND charged_at >= %(start)s AND charged_at < %(end)s
            ) charges
            GROUP BY GROUPING SETS ((), (day), (service), (destination_office_id))
            """,  # noqa: S608 (the table name from the model, values are parameters)
            {
                "shipping": Charge.Kind.SHIPPING,
                "refund": Charge.Kind.REFUND,
                "zone": office.time_zone,
                "office": office.pk,
                "start": start,
                "end": end,
            },
        )
        rows = cursor.fetchall()
    # GROUPING() has a bit set for each column not grouped on: 7 = totals,
    # 3 = by day, 5 = by service, 6 = by destination.
    by_level: dict[int, list] = {}
    for level, *values in rows:
        by_level.setdefault(level, []).append(values)
    totals = (by_level.get(7) or [[None, None, None, 0, None, None]])[0]
    report = CostReport(
        office=office,
        date_from=date_from,
        date_to=date_to,
        currency=totals[5] or "USD",
        packages=totals[3] or 0,
        revenue=totals[4] if totals[4] is not None else Decimal("0.00"),
    )
    if "day" in group_by:
        days = sorted(by_level.get(3, []), key=lambda row: row[0])
        report.rows["day"] = [
            ReportRow(day.isoformat(), day.isoformat(), packages, revenue) for day, _, _, packages, revenue, _ in days
        ]
    if "service" in group_by:
        labels = dict(Service.choices)
        services = sorted(by_level.get(5, []), key=lambda row: row[1])
        report.rows["service"] = [
            ReportRow(service, labels.get(service, service), packages, revenue)
            for _, service, _, packages, revenue, _ in services
        ]
    if "destination" in group_by:
        destinations = by_level.get(6, [])
        offices = {
            pk: (code, name)
            for pk, code, name in Office.objects.filter(pk__in=[row[2] for row in destinations]).values_list(
                "pk", "code", "name"
            )
        }
        report.rows["destination"] = sorted(
            (
                ReportRow(*offices[office_id], packages, revenue)
                for _, _, office_id, packages, revenue, _ in destinations
            ),
            key=lambda row: row.key,
        )
    return report


CSV_COLUMNS = ["breakdown", "key", "label", "packages", "revenue", "average_cost", "currency"]


class Writable(Protocol):
    def write(self, text: str, /) -> object: ...


def write_csv(report: CostReport, out: Writable, breakdowns: Iterable[str] = GROUPINGS) -> None:
    """The report as CSV, for managers who live in spreadsheets: a header, the
    total, then one row per line of each breakdown. The admin's download and
    the API's ``?format=csv`` are this same file."""
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    office = report.office
    writer.writerow(
        ["total", office.code, office.name, report.packages, report.revenue, report.average_cost, report.currency]
    )
    for breakdown in breakdowns:
        for row in report.rows.get(breakdown, []):
            writer.writerow(
                [breakdown, row.key, row.label, row.packages, row.revenue, row.average_cost, report.currency]
            )


def csv_filename(report: CostReport, breakdowns: Iterable[str] = GROUPINGS) -> str:
    by = "" if tuple(breakdowns) == GROUPINGS else "-by-" + "-".join(breakdowns)
    return f"cost-report-{report.office.code}-{report.date_from}-{report.date_to}{by}.csv"
