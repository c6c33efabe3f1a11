"""``export_packages``: the packages the API's list filters select, as CSV
(PostgreSQL's ``COPY ... TO STDOUT``) or JSONL (a server-side cursor), streamed
to a path, stdout or S3, so a million rows need little memory.

Columns are import_packages' (so an export re-imports as unchanged, here or
elsewhere) and the package's state: status, current office, times and the
frozen total, which the import ignores. CSV text cells that a spreadsheet would
run as a formula get a quote in front (``imports.csv_cells``; the import takes
it off again); JSONL is written as stored.
"""

import gzip
import io
import json
import sys
import tempfile
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from typing import IO, Any

from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction

from imports import csv_cells
from imports.csv_cells import neutralised_sql
from imports.sources import s3_client, split_s3_url
from offices.models import Office

from ..api.filters import PackageFilter
from ..models import Package
from ..tracking_numbers import check_digit_problem

ADDRESS = ("line1", "line2", "city", "region", "postal_code", "country")
SELECT = [
    ("tracking_number", "p.tracking_number"),
    ("status", "p.status"),
    ("origin_office", "o.code"),
    ("destination_office", "d.code"),
    ("current_office", "c.code"),
    ("service", "p.service"),
    ("weight_grams", "p.weight_grams"),
    ("length_cm", "p.length_cm"),
    ("width_cm", "p.width_cm"),
    ("height_cm", "p.height_cm"),
    ("declared_value", "p.declared_value"),
    ("currency", "p.currency"),
    *(
        item
        for role, alias in (("sender", "sa"), ("receiver", "ra"))
        for item in (
            (f"{role}_name", f"p.{role}_name"),
            (f"{role}_email", f"p.{role}_email"),
            (f"{role}_phone", f"p.{role}_phone"),
            *((f"{role}_{name}", f"{alias}.{name}") for name in ADDRESS),
        )
    ),
    ("sender_notify_sms", "p.sender_notify_sms"),
    ("sender_notify_email", "p.sender_notify_email"),
    ("receiver_notify_sms", "p.receiver_notify_sms"),
    ("receiver_notify_email", "p.receiver_notify_email"),
    ("created_at", "p.created_at"),
    ("accepted_at", "p.accepted_at"),
    ("expected_delivery_at", "p.expected_delivery_at"),
    ("delivered_at", "p.delivered_at"),
    ("received_by", "p.received_by"),
    ("cost_total", "p.cost_total"),
    ("cost_currency", "p.cost_currency"),
]
COLUMNS = [name for name, _ in SELECT]
# Not free text: numbers, flags and times, and texts the database only holds in a checked shape (tracking
# numbers, statuses, services, office codes, currencies, E.164 phones): no formula can be in them, so the
# export spends no time neutralising them (imports.csv_cells). Names, addresses, emails (= is allowed in an
# address's local part) and received_by are neutralised.
NOT_TEXT = frozenset(
    {
        "tracking_number",
        "status",
        "origin_office",
        "destination_office",
        "current_office",
        "service",
        "currency",
        "cost_currency",
        "sender_phone",
        "receiver_phone",
        "weight_grams",
        "length_cm",
        "width_cm",
        "height_cm",
        "declared_value",
        *(f"{role}_notify_{channel}" for role in ("sender", "receiver") for channel in ("sms", "email")),
        "created_at",
        "accepted_at",
        "expected_delivery_at",
        "delivered_at",
        "cost_total",
    }
)
FILTERS: tuple[str, ...] = (
    "status",
    "service",
    "origin_office",
    "destination_office",
    "current_office",
    "created_after",
    "created_before",
    "search",
)
OFFICE_FILTERS = ("origin_office", "destination_office", "current_office")


def filter_problems(filters: dict[str, str]) -> list[str]:
    """What an operator must correct before an export: an office code no office
    has, a search that is a tracking number with a wrong check digit (a typo,
    not a name), each naming its option."""
    problems = []
    codes = {name: filters[name].strip().upper() for name in OFFICE_FILTERS if filters.get(name)}
    known = set(Office.objects.filter(code__in=codes.values()).values_list("code", flat=True))
    for name, code in codes.items():
        if code not in known:
            problems.append(f"--{name.replace('_', '-')}: no office has the code {code}.")
    typo = check_digit_problem(filters.get("search") or "")
    if typo:
        problems.append(f"--search: {typo}")
    return problems


def export_sql(filters: dict[str, str], *, spreadsheet: bool = False) -> tuple[str, list[Any]]:
    """The SELECT of the export with the API list's filters (``PackageFilter``);
    ValueError names what cannot be answered (a bad date, an unknown office, a
    mistyped tracking number). ``spreadsheet``: text cells neutralised as
    ``imports.csv_cells`` does (no formula runs when the CSV is opened)."""
    problems = filter_problems(filters)
    if problems:
        raise ValueError(" ".join(problems))
    package_filter = PackageFilter({name: value for name, value in filters.items() if value is not None})
    package_filter.queryset = Package.objects.all()
    if not package_filter.is_valid():
        errors = "; ".join(f"{name}: {' '.join(messages)}" for name, messages in package_filter.errors.items())
        raise ValueError(errors)
    try:
        ids_sql, params = package_filter.qs.order_by().values("id").query.sql_with_params()
    except EmptyResultSet:
        # Django knows without asking the database that nothing matches (a name nobody has).
        ids_sql, params = "SELECT NULL::bigint WHERE false", ()
    select = ", ".join(
        f"{neutralised_sql(expression) if spreadsheet and name not in NOT_TEXT else expression} AS {name}"
        for name, expression in SELECT
    )
    sql = f"""
        SELECT {select}
        FROM shipments_package p
        JOIN offices_office o ON o.id = p.origin_office_id
        JOIN offices_office d ON d.id = p.destination_office_id
        LEFT JOIN offices_office c ON c.id = p.current_office_id
        JOIN offices_location sa ON sa.id = p.sender_address_id
        JOIN offices_location ra ON ra.id = p.receiver_address_id
        WHERE p.id IN ({ids_sql})
        ORDER BY p.id"""
    return sql, list(params)


def _json_value(value: object) -> object:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(type(value))


def _jsonl_lines(sql: str, params: list[Any]) -> Iterator[str]:
    with transaction.atomic(), connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(10_000):
            for row in rows:
                yield json.dumps(dict(zip(COLUMNS, row, strict=True)), default=_json_value) + "\n"


def export_packages(destination: str, *, fmt: str, filters: dict[str, str]) -> int:
    """Write the selected packages to ``destination`` (a path, ``-`` or
    ``s3://``); ``fmt`` is csv, jsonl, csv.gz or jsonl.gz. Returns the row count."""
    sql, params = export_sql(filters, spreadsheet=fmt.startswith("csv"))
    to_s3 = destination.startswith("s3://")
    if to_s3:
        split_s3_url(destination)
    binary: IO[bytes]
    if destination == "-":
        binary = sys.stdout.buffer
    elif to_s3:
        binary = tempfile.TemporaryFile()  # noqa: SIM115 (uploaded, then closed)
    else:
        binary = open(destination, "wb")  # noqa: SIM115
    try:
        target: IO[bytes] = gzip.GzipFile(fileobj=binary, mode="wb") if fmt.endswith(".gz") else binary  # type: ignore[assignment]
        text = io.TextIOWrapper(target, encoding="utf-8", newline="", write_through=True)
        rows = 0
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL TimeZone = 'UTC'")
            if fmt.startswith("csv"):
                csv_cells.writer(text).writerow(COLUMNS)
                text.flush()
                query = cursor.mogrify(sql, params).decode()
                cursor.copy_expert(f"COPY ({query}) TO STDOUT WITH (FORMAT csv)", target)
                rows = cursor.rowcount
            else:
                for line in _jsonl_lines(sql, params):
                    text.write(line)
                    rows += 1
        text.flush()
        text.detach()
        if target is not binary:
            target.close()
        binary.flush()
        if to_s3:
            bucket, key = split_s3_url(destination)
            binary.seek(0)
            s3_client().upload_fileobj(binary, bucket, key)
    finally:
        if binary is not sys.stdout.buffer:
            binary.close()
    return rows


def export_format(destination: str, given: str | None) -> str:
    """The format ``--format`` names, else the destination's extension; stdout is
    CSV. Any other name is refused (ValueError) rather than given CSV under an
    extension that promises something else (``x.xlsx``)."""
    if given:
        return given
    if destination == "-":
        return "csv"
    name = destination.lower()
    for fmt in ("csv.gz", "jsonl.gz", "csv", "jsonl"):
        if name.endswith("." + fmt):
            return fmt
    raise ValueError(
        f"{destination}: export_packages writes CSV or JSONL only: name the file .csv, .jsonl, .csv.gz or "
        ".jsonl.gz (or pass --format)."
    )
