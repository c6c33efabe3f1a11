"""Times as a clerk reads them: in an office's time zone, with the zone named.

Which zone, in one place (docs/domain.md, "Time zones"): a package's page in
its current office's zone (its origin office's while it is between offices),
an event in its office's, a charge in its office's, the label and the receipt
in the origin office's; lists and scan results in the zone the admin runs in
for the user (their default office's, UTC for HQ without an office; see
offices.middleware).
"""

from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString

from offices.models import Office

from .models import Package


def office_zone(office: Office | None) -> tzinfo:
    """The office's zone; UTC without an office."""
    return ZoneInfo(office.time_zone) if office is not None else UTC


def package_zone(package: Package) -> tzinfo:
    """Where the package is: its current office's zone, its origin's while between offices."""
    return office_zone(package.current_office if package.current_office_id else package.origin_office)


def zone_key(zone: tzinfo) -> str:
    """The zone's IANA name (America/New_York)."""
    return str(getattr(zone, "key", None) or zone)


def zone_label(moment: datetime) -> str:
    """The zone of a local time as people say it: EST, UTC; the IANA name in
    brackets where the zone has no abbreviation (-03 would say nothing)."""
    name = moment.tzname() or ""
    if name[:1].isalpha():
        return name
    zone = moment.tzinfo
    return f"({zone_key(zone)})" if zone is not None else name


def local_text(moment: datetime | None, zone: tzinfo | None = None, format: str = "DATETIME_FORMAT") -> str:
    """``moment`` in ``zone`` (default: the active zone) with the zone named:
    "Jan. 15, 2026, 1:46 p.m. EST"; a dash for no time."""
    if moment is None:
        return "—"
    local = moment.astimezone(zone or timezone.get_current_timezone())
    return f"{date_format(local, format)} {zone_label(local)}"


def local_time(moment: datetime | None, zone: tzinfo | None = None, format: str = "DATETIME_FORMAT") -> SafeString:
    """``local_text`` as a ``<time>`` element: the instant for machines, the zone's full name on hover."""
    if moment is None:
        return format_html("{}", "—")
    zone = zone or timezone.get_current_timezone()
    return format_html(
        '<time datetime="{}" title="{}">{}</time>',
        moment.isoformat(),
        zone_key(zone),
        local_text(moment, zone, format),
    )
