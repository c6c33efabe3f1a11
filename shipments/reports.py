"""The shipping cost report, shared by the admin and the API: one office's, or
the whole network's (HQ), which adds a breakdown by origin office.

Sums come from Charge rows (immutable; refunds are negative), never from
re-pricing packages. Days are the office's local days; the network's are UTC
days (its offices live in several zones).
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Protocol
from zoneinfo import ZoneInfo

from django.db import connection
from django.utils import timezone

from imports import csv_cells
from offices.models import Office

from .days import day_bounds
from .exceptions import ShipmentError
from .models import Charge, Service

GROUPINGS = ("day", "service", "destination")
# The network's report also breaks the charges down by the office they count for (the origin).
NETWORK_GROUPINGS = (*GROUPINGS, "office")
MAX_DAYS = 366
DEFAULT_DAYS = 30
# How the network names itself where an office would give its code and name (CSV, file names).
NETWORK_KEY, NETWORK_LABEL = "network", "Whole network"


@dataclass(frozen=True)
class ReportRow:
    key: str  # ISO date, service value, or destination or origin office code
    label: str
    packages: int
    revenue: Decimal
    returns: int = 0  # parcels sent back to their senders (their return charges)
    return_fees: Decimal = Decimal("0.00")  # part of the revenue

    @property
    def average_cost(self) -> Decimal:
        return (self.revenue / self.packages).quantize(Decimal("0.01")) if self.packages else Decimal("0.00")


@dataclass
class CostReport:
    office: Office | None  # None: the whole network
    date_from: date
    date_to: date
    currency: str
    packages: int = 0
    revenue: Decimal = Decimal("0.00")
    returns: int = 0
    return_fees: Decimal = Decimal("0.00")
    rows: dict[str, list[ReportRow]] = field(default_factory=dict)

    @property
    def average_cost(self) -> Decimal:
        return (self.revenue / self.packages).quantize(Decimal("0.01")) if self.packages else Decimal("0.00")

    @property
    def is_network(self) -> bool:
        return self.office is None

    @property
    def time_zone(self) -> str:
        """Whose days the report counts: the office's; UTC for the network."""
        return self.office.time_zone if self.office is not None else "UTC"

    @property
    def key(self) -> str:
        return self.office.code if self.office is not None else NETWORK_KEY

    @property
    def label(self) -> str:
        return self.office.name if self.office is not None else NETWORK_LABEL


def default_range(office: Office | None, *, last: date | None = None) -> tuple[date, date]:
    """The 30 days up to ``last`` (default: today in the office's zone, UTC for
    the network): what a report covers unless asked otherwise."""
    last = last or timezone.now().astimezone(ZoneInfo(office.time_zone if office else "UTC")).date()
    return last - timedelta(days=DEFAULT_DAYS - 1), last


# The report's dimensions: its breakdown name, and the column of the charges it groups on.
_COLUMNS = {"day": "day", "service": "service", "destination": "destination_office_id", "office": "office_id"}


def cost_report(
    *, office: Office | None, date_from: date, date_to: date, group_by: tuple[str, ...] | None = None
) -> CostReport:
    """Totals and breakdowns of one office's charges (``office=None``: every
    office's, the network's) between two dates, inclusive.

    ``packages`` counts shipping charges less refunds, so a cancelled parcel
    counts for nothing; ``revenue`` is the sum of all charges, the return fees
    (``returns``, ``return_fees``) included. ``group_by``
    picks the breakdowns returned (default: all; ``office`` is the network's only).
    """
    allowed = GROUPINGS if office is not None else NETWORK_GROUPINGS
    group_by = allowed if group_by is None else group_by
    if date_to < date_from:
        raise ShipmentError("The end date is before the start date.", details={"to": "Before the start date."})
    if (date_to - date_from).days >= MAX_DAYS:
        raise ShipmentError(f"A report covers at most {MAX_DAYS} days.", details={"to": "Range too long."})
    unknown = set(group_by) - set(allowed)
    if unknown:
        raise ShipmentError(
            f"Group by one of: {', '.join(allowed)}.", details={"group_by": f"Unknown: {', '.join(sorted(unknown))}"}
        )
    zone = office.time_zone if office is not None else "UTC"
    start, end = day_bounds(date_from, date_to, ZoneInfo(zone))
    # One pass over the charges for the totals and every breakdown (GROUPING
    # SETS): at a million packages an office has tens of thousands of charges
    # in a quarter, scattered over the table, and reading them once instead of
    # four times is what keeps the report fast. Every breakdown is computed (it
    # costs the same single scan); only the asked ones are returned.
    breakdowns = [name for name in _COLUMNS if name in allowed]
    columns = [_COLUMNS[name] for name in breakdowns]
    listed = ", ".join(columns)
    table = Charge._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT GROUPING({listed}) AS level, {listed},
                   COUNT(*) FILTER (WHERE kind = %(shipping)s) - COUNT(*) FILTER (WHERE kind = %(refund)s),
                   SUM(total), COUNT(*) FILTER (WHERE kind = %(return)s),
                   COALESCE(SUM(total) FILTER (WHERE kind = %(return)s), 0.00), MIN(currency)
            FROM (
                SELECT (charged_at AT TIME ZONE %(zone)s)::date AS day, {", ".join(columns[1:])}, kind, total,
                       currency
                FROM {table}
                WHERE {"office_id = %(office)s AND " if office is not None else ""}
                      charged_at >= %(start)s AND charged_at < %(end)s
            ) charges
            GROUP BY GROUPING SETS ((), {", ".join(f"({column})" for column in columns)})
            """,  # noqa: S608 (column and table names from this module and the model, values are parameters)
            {
                "shipping": Charge.Kind.SHIPPING,
                "refund": Charge.Kind.REFUND,
                "return": Charge.Kind.RETURN,
                "zone": zone,
                "office": office.pk if office is not None else None,
                "start": start,
                "end": end,
            },
        )
        rows = cursor.fetchall()
    # GROUPING() has a bit set for each column not grouped on, the first
    # column's the highest: all bits are the totals, all but one bit a breakdown.
    everything = (1 << len(columns)) - 1
    level_of = {name: everything & ~(1 << (len(columns) - 1 - index)) for index, name in enumerate(breakdowns)}
    by_level: dict[int, list[tuple]] = {}
    for level, *values in rows:
        by_level.setdefault(level, []).append(tuple(values))

    def lines(name: str) -> list[tuple]:
        """(the key, packages, revenue, returns, return fees) of each line of one breakdown."""
        index = breakdowns.index(name)
        return [
            (values[index], *values[len(columns) : len(columns) + 4]) for values in by_level.get(level_of[name], [])
        ]

    totals = (by_level.get(everything) or [(*[None] * len(columns), 0, None, 0, Decimal("0.00"), None)])[0][
        len(columns) :
    ]
    report = CostReport(
        office=office,
        date_from=date_from,
        date_to=date_to,
        currency=totals[4] or "USD",
        packages=totals[0] or 0,
        revenue=totals[1] if totals[1] is not None else Decimal("0.00"),
        returns=totals[2],
        return_fees=totals[3],
    )
    if "day" in group_by:
        report.rows["day"] = [ReportRow(day.isoformat(), day.isoformat(), *sums) for day, *sums in sorted(lines("day"))]
    if "service" in group_by:
        labels = dict(Service.choices)
        report.rows["service"] = [
            ReportRow(service, labels.get(service, service), *sums) for service, *sums in sorted(lines("service"))
        ]
    by_office = [name for name in ("destination", "office") if name in group_by]
    if by_office:
        # One query names the offices of both breakdowns.
        ids = {office_id for name in by_office for office_id, *_ in lines(name)}
        offices = {
            pk: (code, name) for pk, code, name in Office.objects.filter(pk__in=ids).values_list("pk", "code", "name")
        }
        for name in by_office:
            report.rows[name] = sorted(
                (ReportRow(*offices[office_id], *sums) for office_id, *sums in lines(name)),
                key=lambda row: row.key,
            )
    return report


CSV_COLUMNS = ["breakdown", "key", "label", "packages", "revenue", "average_cost", "currency", "returns", "return_fees"]


class Writable(Protocol):
    def write(self, text: str, /) -> object: ...


def write_csv(report: CostReport, out: Writable, breakdowns: Iterable[str] | None = None) -> None:
    """The report as CSV, for managers who live in spreadsheets: a header, the
    total (the office, or "network"), then one row per line of each breakdown
    (default: all the report has). The admin's download and the API's
    ``?format=csv`` are this same file. Office names and codes are neutralised
    (``imports.csv_cells``: a name starting with = is not a formula); the numbers
    stay numbers, refunds' minus included."""
    writer = csv_cells.writer(out)
    writer.writerow(CSV_COLUMNS)
    writer.writerow(
        [
            "total", report.key, report.label, report.packages, report.revenue, report.average_cost, report.currency,
            report.returns, report.return_fees,
        ]
    )  # fmt: skip
    for breakdown in report.rows if breakdowns is None else breakdowns:
        for row in report.rows.get(breakdown, []):
            writer.writerow(
                [
                    breakdown,
                    row.key,
                    row.label,
                    row.packages,
                    row.revenue,
                    row.average_cost,
                    report.currency,
                    row.returns,
                    row.return_fees,
                ]  # fmt: skip
            )


def csv_filename(report: CostReport, breakdowns: Iterable[str] | None = None) -> str:
    every = NETWORK_GROUPINGS if report.is_network else GROUPINGS
    by = "" if breakdowns is None or tuple(breakdowns) == every else "-by-" + "-".join(breakdowns)
    return f"cost-report-{report.key}-{report.date_from}-{report.date_to}{by}.csv"
