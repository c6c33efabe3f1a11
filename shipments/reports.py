"""The per-office shipping cost report, shared by the admin and the API.

Sums come from Charge rows (immutable; refunds are negative), never from
re-pricing packages. Days are the office's local days.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate

from offices.models import Office

from .exceptions import ShipmentError
from .models import Charge, Service

GROUPINGS = ("day", "service", "destination")
MAX_DAYS = 366


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


def _bounds(office: Office, date_from: date, date_to: date) -> tuple[datetime, datetime]:
    zone = ZoneInfo(office.time_zone)
    return (
        datetime.combine(date_from, time.min, tzinfo=zone),
        datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=zone),
    )


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
    start, end = _bounds(office, date_from, date_to)
    charges = Charge.objects.filter(office=office, charged_at__gte=start, charged_at__lt=end)
    measures = {
        "packages": Count("id", filter=Q(kind=Charge.Kind.SHIPPING)) - Count("id", filter=Q(kind=Charge.Kind.REFUND)),
        "revenue": Sum("total"),
    }
    totals = charges.aggregate(**measures)
    report = CostReport(
        office=office,
        date_from=date_from,
        date_to=date_to,
        currency=charges.values_list("currency", flat=True).first() or "USD",
        packages=totals["packages"] or 0,
        revenue=totals["revenue"] or Decimal("0.00"),
    )
    if "day" in group_by:
        rows = (
            charges.annotate(day=TruncDate("charged_at", tzinfo=ZoneInfo(office.time_zone)))
            .values("day")
            .annotate(**measures)
            .order_by("day")
        )
        report.rows["day"] = [
            ReportRow(row["day"].isoformat(), row["day"].isoformat(), row["packages"], row["revenue"]) for row in rows
        ]
    if "service" in group_by:
        rows = charges.values("service").annotate(**measures).order_by("service")
        labels = dict(Service.choices)
        report.rows["service"] = [
            ReportRow(row["service"], labels.get(row["service"], row["service"]), row["packages"], row["revenue"])
            for row in rows
        ]
    if "destination" in group_by:
        rows = (
            charges.values("destination_office__code", "destination_office__name")
            .annotate(**measures)
            .order_by("destination_office__code")
        )
        report.rows["destination"] = [
            ReportRow(row["destination_office__code"], row["destination_office__name"], row["packages"], row["revenue"])
            for row in rows
        ]
    return report
