"""The on-time report, shared by the admin and the API: per service and month,
the parcels delivered, the share delivered by their expected date, the median
days from acceptance to delivery, and the returns to sender with their reasons.

An office's report counts the parcels it sent (its origin office, as its cost
report counts its charges), in its months (its time zone); the network's counts
every office's, in UTC months. Two aggregate queries: the delivered packages
grouped by service and month (``percentile_cont`` for the median), and the
``return_started`` events grouped by service, month and reason (the partial
index ``event_return_idx`` finds them).
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import connection
from django.utils import timezone

from imports import csv_cells
from offices.models import Office

from .days import day_bounds
from .exceptions import ShipmentError
from .models import Package, Service, TrackingEvent
from .reports import MAX_DAYS, NETWORK_KEY, NETWORK_LABEL, Writable
from .statuses import Reason, Status

HUNDRED = Decimal("100")


@dataclass
class OnTimeRow:
    """One service in one month."""

    month: date  # its first day
    service: str
    delivered: int = 0
    on_time: int = 0
    median_days: Decimal | None = None  # acceptance to delivery, one decimal
    returns: int = 0
    return_reasons: dict[str, int] = field(default_factory=dict)

    @property
    def on_time_percent(self) -> Decimal | None:
        """Share delivered by the expected date, in percent with one decimal; None when nothing was delivered."""
        if not self.delivered:
            return None
        return (HUNDRED * self.on_time / self.delivered).quantize(Decimal("0.1"))

    @property
    def month_key(self) -> str:
        """YYYY-MM: the month as the API and the CSV name it."""
        return f"{self.month:%Y-%m}"

    @property
    def service_label(self) -> str:
        return Service(self.service).label

    @property
    def reasons_text(self) -> str:
        return ", ".join(f"{Reason(reason).label.lower()}: {count}" for reason, count in self.return_reasons.items())


@dataclass
class OnTimeReport:
    office: Office | None  # None: the whole network
    date_from: date
    date_to: date
    rows: list[OnTimeRow] = field(default_factory=list)

    @property
    def key(self) -> str:
        return self.office.code if self.office is not None else NETWORK_KEY

    @property
    def label(self) -> str:
        return self.office.name if self.office is not None else NETWORK_LABEL

    @property
    def time_zone(self) -> str:
        return self.office.time_zone if self.office is not None else "UTC"


def default_months(office: Office | None, *, last: date | None = None) -> tuple[date, date]:
    """Twelve months, the last one's included, up to ``last`` (default: today,
    the office's, UTC for the network)."""
    last = last or timezone.now().astimezone(ZoneInfo(office.time_zone if office else "UTC")).date()
    months = last.year * 12 + last.month - 1 - 11
    return date(months // 12, months % 12 + 1, 1), last


def on_time_report(*, office: Office | None, date_from: date, date_to: date) -> OnTimeReport:
    """The report of the parcels ``office`` sent (None: every office's) delivered
    or turned back between two days, inclusive, grouped by service and month."""
    if date_to < date_from:
        raise ShipmentError("The end date is before the start date.", details={"to": "Before the start date."})
    if (date_to - date_from).days >= MAX_DAYS:
        raise ShipmentError(f"A report covers at most {MAX_DAYS} days.", details={"to": "Range too long."})
    zone = office.time_zone if office is not None else "UTC"
    start, end = day_bounds(date_from, date_to, ZoneInfo(zone))
    params = {"zone": zone, "start": start, "end": end, "office": office.pk if office else None}
    only_office = "AND p.origin_office_id = %(office)s" if office is not None else ""
    packages, events = Package._meta.db_table, TrackingEvent._meta.db_table
    rows: dict[tuple[date, str], OnTimeRow] = {}
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT date_trunc('month', p.delivered_at AT TIME ZONE %(zone)s)::date AS month, p.service, COUNT(*),
                   COUNT(*) FILTER (WHERE p.delivered_at <= p.expected_delivery_at),
                   percentile_cont(0.5) WITHIN GROUP (
                       ORDER BY EXTRACT(EPOCH FROM p.delivered_at - p.accepted_at) / 86400.0)
            FROM {packages} p
            WHERE p.status = %(delivered)s AND p.delivered_at >= %(start)s AND p.delivered_at < %(end)s {only_office}
            GROUP BY 1, 2
            """,  # noqa: S608 (table names from the models, values are parameters)
            params | {"delivered": Status.DELIVERED},
        )
        for month, service, delivered, on_time, median in cursor.fetchall():
            median_days = None if median is None else Decimal(str(median)).quantize(Decimal("0.1"))
            rows[month, service] = OnTimeRow(month, service, delivered, on_time, median_days)
        cursor.execute(
            f"""
            SELECT date_trunc('month', e.occurred_at AT TIME ZONE %(zone)s)::date AS month, p.service, e.reason,
                   COUNT(*)
            FROM {events} e JOIN {packages} p ON p.id = e.package_id
            WHERE e.status = %(return_started)s AND e.occurred_at >= %(start)s AND e.occurred_at < %(end)s
                  {only_office}
            GROUP BY 1, 2, 3
            ORDER BY 1, 2, 4 DESC, 3
            """,  # noqa: S608 (table names from the models, values are parameters)
            params | {"return_started": Status.RETURN_STARTED},
        )
        for month, service, reason, count in cursor.fetchall():
            row = rows.setdefault((month, service), OnTimeRow(month, service))
            row.returns += count
            row.return_reasons[reason or Reason.OTHER] = row.return_reasons.get(reason or Reason.OTHER, 0) + count
    report = OnTimeReport(office=office, date_from=date_from, date_to=date_to)
    services = Service.values
    report.rows = sorted(rows.values(), key=lambda row: (row.month, services.index(row.service)))
    return report


CSV_COLUMNS = [
    "office",
    "month",
    "service",
    "delivered",
    "on_time",
    "on_time_percent",
    "median_days",
    "returns",
    "return_reasons",
]


def write_csv(report: OnTimeReport, out: Writable) -> None:
    """The report as CSV (the admin's download and the API's ``?format=csv``):
    one line per service and month; the reasons as ``reason:count`` pairs."""
    writer = csv_cells.writer(out)
    writer.writerow(CSV_COLUMNS)
    for row in report.rows:
        writer.writerow(
            [
                report.key,
                row.month_key,
                row.service,
                row.delivered,
                row.on_time,
                "" if row.on_time_percent is None else row.on_time_percent,
                "" if row.median_days is None else row.median_days,
                row.returns,
                " ".join(f"{reason}:{count}" for reason, count in row.return_reasons.items()),
            ]
        )


def csv_filename(report: OnTimeReport) -> str:
    return f"on-time-report-{report.key}-{report.date_from}-{report.date_to}.csv"
