"""``import_offices``: the office list from network planning, upserted by code
through ``office_upsert`` (a few hundred rows: the service's own path, one row
at a time, is fast enough and keeps one set of office rules)."""

import functools
import re
import zoneinfo
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from imports.framework import BatchResult, Importer
from shipments.rules import PHONE_INVALID, column_limits, length_problems, phone_e164

from .models import EXCHANGE_CODE_PATTERN, OFFICE_CODE_PATTERN, Location, Office
from .services import office_upsert

_TIME_ZONES = frozenset(zoneinfo.available_timezones())
_CODE = re.compile(OFFICE_CODE_PATTERN)
_EXCHANGE_CODE = re.compile(EXCHANGE_CODE_PATTERN)
_SIX_PLACES = Decimal("0.000001")


def _coordinate(text: str, limit: int) -> Decimal | str:
    """The coordinate, or the reason it is not one."""
    if not text.strip():
        return "Required: quotes need the office's coordinates."
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        return "Not a number."
    if not value.is_finite() or not -limit <= value <= limit:
        return f"Must be between -{limit} and {limit}."
    return value.quantize(_SIX_PLACES)


@functools.cache
def _limits() -> dict[str, int]:
    """The columns' limits, from the models (what PostgreSQL would refuse)."""
    address = column_limits(Location, ("line1", "line2", "city", "region", "postal_code"))
    return column_limits(Office, ("name", "email")) | address


def office_row(row: dict[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """The keyword arguments of ``office_upsert`` for one row, and every problem found."""
    problems: dict[str, str] = {}
    code = row["code"].strip().upper()
    if not _CODE.match(code):
        problems["code"] = "Use 3–10 upper-case letters and digits, e.g. NYC01."
    name = row["name"].strip()
    if not name:
        problems["name"] = "Required."
    address: dict[str, Any] = {
        "line1": row["line1"].strip(),
        "line2": row.get("line2", "").strip(),
        "city": row["city"].strip(),
        "region": row.get("region", "").strip(),
        "postal_code": row.get("postal_code", "").strip(),
        "country": row["country"].strip().upper(),
    }
    for field in ("line1", "city"):
        if not address[field]:
            problems[field] = "Required."
    if not re.fullmatch(r"[A-Z]{2}", address["country"]):
        problems["country"] = "Use the two-letter ISO country code, e.g. US."
    for field, limit in (("latitude", 90), ("longitude", 180)):
        value = _coordinate(row[field], limit)
        if isinstance(value, str):
            problems[field] = value
        else:
            address[field] = value
    phone = phone_e164(row.get("phone", ""), address["country"])
    if phone is None:
        problems["phone"] = PHONE_INVALID
    email = row.get("email", "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            problems["email"] = "Not an email address."
    for problem in length_problems({"name": name, "email": email, **address}, _limits()):
        problems.setdefault(problem.field, problem.message)
    exchange_code = row.get("exchange_code", "").strip().upper()
    if exchange_code and not _EXCHANGE_CODE.match(exchange_code):
        problems["exchange_code"] = "Use 6 capital letters, e.g. USNYCA."
    time_zone = row["timezone"].strip()
    if time_zone not in _TIME_ZONES:
        problems["timezone"] = "Use an IANA time zone name, e.g. America/New_York."
    arguments = {
        "code": code,
        "name": name,
        "address": address,
        "phone": phone or "",
        "email": email,
        "time_zone": time_zone,
        # An empty column keeps the office's exchange code (None), as a missing one does.
        "exchange_code": exchange_code or None,
    }
    if "opening_hours" in row:  # a file without the column keeps the offices' hours
        arguments["opening_hours"] = opening_hours = row["opening_hours"].strip()
        if len(opening_hours) > 200:
            problems["opening_hours"] = "At most 200 characters."
    return arguments, problems


class OfficeImporter(Importer):
    kind = "import_offices"
    required_columns = ("code", "name", "line1", "city", "country", "latitude", "longitude", "timezone")
    optional_columns = ("line2", "region", "postal_code", "phone", "email", "opening_hours", "exchange_code")

    def import_batch(self, rows: list[tuple[int, dict[str, str]]]) -> BatchResult:
        result = BatchResult()
        for number, row in rows:
            arguments, problems = office_row(row)
            if problems:
                result.rejected[number] = problems
                continue
            try:
                _office, created, changed = office_upsert(actor=None, **arguments)
            except ValidationError as error:
                result.rejected[number] = {field: " ".join(messages) for field, messages in error.message_dict.items()}
                continue
            if created:
                result.created += 1
            elif changed:
                result.updated += 1
            else:
                result.unchanged += 1
        return result
