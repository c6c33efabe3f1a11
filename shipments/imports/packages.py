"""``import_packages``: parcels registered by partner systems, upserted by
tracking number.

Each row is checked by the counter's own rules (``shipments.rules``) and priced
by the counter's ``PriceList`` (loaded once per run); the good rows of a batch
go into a staging table with one COPY and are written with set-based SQL: new
packages with their two addresses, their shipping charge and their ``created``
event; existing ones get their sender and receiver brought up to date. The
parcel facts and the cost of a registered package are frozen (its charge is
immutable), so a row that changes them is rejected. Historical imports send
no notifications (bulk SQL fires no signals).

A row without a tracking number is a new parcel: it gets one from
``tracking_numbers_for`` (one block per service and batch). Running such a
file twice registers those parcels twice; partners that re-send files give
their numbers (``--resume`` finishes an interrupted run without repeating).
"""

import re
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection
from django.utils import timezone

from imports.framework import BatchResult, Importer, copy_rows
from offices.models import Location, Office

from ..exceptions import InvalidTrackingNumber
from ..pricing import PriceList
from ..rules import party_problems, phone_e164
from ..services import CLOCK_SKEW, tracking_numbers_for
from ..tracking_numbers import normalize_tracking_number
from ..values import Address, Parcel, Party

PARTY_COLUMNS = ("name", "email", "phone", "line1", "line2", "city", "region", "postal_code", "country")
ADDRESS_COLUMNS = ("line1", "line2", "city", "region", "postal_code", "country")
_TRUE = frozenset({"true", "1", "yes", "y", "t"})
_FALSE = frozenset({"false", "0", "no", "n", "f", ""})
_WHOLE = re.compile(r"^\s*\d+\s*$")
# Stands in for an unknown office code so the parcel's other problems are still found.
_NO_OFFICE = Office(code="?", is_active=True, location=Location(latitude=0, longitude=0))

# The parcel facts frozen at registration: a row may not change them.
FROZEN = (
    "origin_office_id",
    "destination_office_id",
    "service",
    "weight_grams",
    "length_cm",
    "width_cm",
    "height_cm",
    "declared_value",
)
PARTY_STAGE = tuple(
    f"{role}_{name}"
    for role in ("sender", "receiver")
    for name in ("name", "phone", "email", "notify_sms", "notify_email")
)
ADDRESS_STAGE = tuple(f"{role}_{name}" for role in ("sender", "receiver") for name in ADDRESS_COLUMNS)
COST = (
    "chargeable_weight_grams",
    "distance_km",
    "cost_base",
    "cost_weight",
    "cost_distance",
    "cost_insurance",
    "cost_surcharges",
    "cost_tax",
    "cost_total",
    "cost_currency",
    "transit_days",
)
STAGE_COLUMNS = ("line", "tracking_number", *FROZEN, *PARTY_STAGE, *ADDRESS_STAGE, *COST, "created_at")
_STAGE_TYPES = {
    "line": "int",
    "origin_office_id": "bigint",
    "destination_office_id": "bigint",
    "weight_grams": "int",
    "length_cm": "int",
    "width_cm": "int",
    "height_cm": "int",
    "declared_value": "numeric",
    "chargeable_weight_grams": "int",
    "distance_km": "numeric",
    "transit_days": "int",
    "created_at": "timestamptz",
    **{f"{role}_notify_{channel}": "boolean" for role in ("sender", "receiver") for channel in ("sms", "email")},
    **{name: "numeric" for name in COST if name.startswith("cost_") and name != "cost_currency"},
}
STAGE = "import_package_stage"


def _column(field: str) -> str:
    """A rule's field name (``sender.address.line1``) as the file's column (``sender_line1``)."""
    return field.replace(".address.", "_").replace(".", "_")


def _whole(text: str) -> int | str:
    return int(text) if _WHOLE.match(text) else text


def _flag(text: str) -> bool | None:
    value = text.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    return None


class PackageImporter(Importer):
    kind = "import_packages"
    required_columns = (
        "origin_office",
        "destination_office",
        "service",
        "weight_grams",
        "length_cm",
        "width_cm",
        "height_cm",
        *(f"{role}_{name}" for role in ("sender", "receiver") for name in ("name", "line1", "city", "country")),
    )
    optional_columns = (
        "tracking_number",
        "declared_value",
        "currency",
        *(
            f"{role}_{name}"
            for role in ("sender", "receiver")
            for name in ("email", "phone", "line2", "region", "postal_code")
        ),
        "sender_notify_sms",
        "sender_notify_email",
        "receiver_notify_sms",
        "receiver_notify_email",
        "created_at",
    )

    def prepare(self) -> None:
        self.price_list = PriceList.load()
        self.offices = {office.code: office for office in Office.objects.select_related("location")}

    # --- one row -------------------------------------------------------------------------

    def _party(self, role: str, row: dict[str, str], problems: dict[str, str]) -> Party:
        get = row.get
        flags = {}
        for channel in ("sms", "email"):
            column = f"{role}_notify_{channel}"
            flag = _flag(get(column, ""))
            if flag is None:
                problems[column] = "Use true or false."
            flags[channel] = bool(flag)
        email = get(f"{role}_email", "").strip()
        if email:
            try:
                validate_email(email)
            except ValidationError:
                problems[f"{role}_email"] = "Not an email address."
        return Party(
            name=row[f"{role}_name"],
            address=Address(
                line1=row[f"{role}_line1"],
                line2=get(f"{role}_line2", ""),
                city=row[f"{role}_city"],
                region=get(f"{role}_region", ""),
                postal_code=get(f"{role}_postal_code", ""),
                country=row[f"{role}_country"],
            ),
            phone=get(f"{role}_phone", ""),
            email=email,
            notify_sms=flags["sms"],
            notify_email=flags["email"],
        )

    def check_row(self, row: dict[str, str], now: datetime) -> tuple[tuple[Any, ...] | None, dict[str, str]]:
        """The staged values of a good row (tracking number possibly empty), or every problem."""
        problems: dict[str, str] = {}
        tracking_number = row.get("tracking_number", "").strip()
        if tracking_number:
            try:
                tracking_number = normalize_tracking_number(tracking_number)
            except InvalidTrackingNumber as error:
                problems["tracking_number"] = str(error)
        offices = {}
        for role in ("origin_office", "destination_office"):
            code = row[role].strip().upper()
            office = self.offices.get(code)
            if office is None:
                problems[role] = f"Unknown office code “{code}”." if code else "Required."
            offices[role] = office or _NO_OFFICE
        declared_text = row.get("declared_value", "").strip()
        declared_value: Any = Decimal(0)
        if declared_text:
            try:
                declared_value = Decimal(declared_text)
            except InvalidOperation:
                declared_value = declared_text
        parcel = Parcel(
            origin_office=offices["origin_office"],
            destination_office=offices["destination_office"],
            service=row["service"].strip(),
            weight_grams=_whole(row["weight_grams"]),  # type: ignore[arg-type]
            length_cm=_whole(row["length_cm"]),  # type: ignore[arg-type]
            width_cm=_whole(row["width_cm"]),  # type: ignore[arg-type]
            height_cm=_whole(row["height_cm"]),  # type: ignore[arg-type]
            declared_value=declared_value,
            currency=row.get("currency", "").strip() or None,
        )
        sender = self._party("sender", row, problems)
        receiver = self._party("receiver", row, problems)
        rule_problems = party_problems("sender", sender) + party_problems("receiver", receiver)
        rule_problems += self.price_list.problems(parcel)
        for problem in rule_problems:
            problems.setdefault(_column(problem.field), problem.sentence or problem.message)
        created_at = now
        created_text = row.get("created_at", "").strip()
        if created_text:
            try:
                created_at = datetime.fromisoformat(created_text.replace("Z", "+00:00"))
            except ValueError:
                problems["created_at"] = "Use ISO 8601, e.g. 2026-03-01T09:30:00Z."
            else:
                if created_at.tzinfo is None:
                    created_at = created_at.replace(tzinfo=UTC)
                if created_at > now + CLOCK_SKEW:
                    problems["created_at"] = "In the future."
        if problems:
            return None, problems
        cost = self.price_list.price(parcel)
        values: list[Any] = [
            tracking_number,
            parcel.origin_office.pk,
            parcel.destination_office.pk,
            parcel.service,
            parcel.weight_grams,
            parcel.length_cm,
            parcel.width_cm,
            parcel.height_cm,
            Decimal(parcel.declared_value),
        ]
        for party in (sender, receiver):
            values += [
                party.name.strip(),
                phone_e164(party.phone, party.address.country) or "",
                party.email,
                party.notify_sms,
                party.notify_email,
            ]
        for party in (sender, receiver):
            address = party.address
            values += [
                address.line1.strip(),
                address.line2.strip(),
                address.city.strip(),
                address.region.strip(),
                address.postal_code.strip(),
                address.country.strip().upper(),
            ]
        values += [
            cost.chargeable_weight_grams,
            cost.distance_km,
            cost.base,
            cost.weight,
            cost.distance,
            cost.insurance,
            cost.surcharges,
            cost.tax,
            cost.total,
            cost.currency,
            cost.transit_days,
            created_at,
        ]
        return tuple(values), {}

    # --- one batch -----------------------------------------------------------------------

    def import_batch(self, rows: list[tuple[int, dict[str, str]]]) -> BatchResult:
        result = BatchResult()
        now = timezone.now()
        good: list[list[Any]] = []
        lines_of: dict[str, int] = {}
        to_number: dict[str, list[list[Any]]] = {}
        for number, row in rows:
            values, problems = self.check_row(row, now)
            if values is None:
                result.rejected[number] = problems
                continue
            staged = [number, *values]
            tracking_number = staged[1]
            if tracking_number:
                if tracking_number in lines_of:
                    result.rejected[number] = {
                        "tracking_number": f"Also on line {lines_of[tracking_number]} of this batch."
                    }
                    continue
                lines_of[tracking_number] = number
            else:
                to_number.setdefault(staged[4], []).append(staged)
            good.append(staged)
        for service, staged_rows in to_number.items():
            for staged, tracking_number in zip(
                staged_rows, tracking_numbers_for(service, len(staged_rows)), strict=True
            ):
                staged[1] = tracking_number
        if good:
            self._write(good, result)
        return result

    def _write(self, good: list[list[Any]], result: BatchResult) -> None:
        with connection.cursor() as cursor:
            columns = ", ".join(f"{name} {_STAGE_TYPES.get(name, 'text')}" for name in STAGE_COLUMNS[:-1])
            cursor.execute(
                f"CREATE TEMP TABLE IF NOT EXISTS {STAGE} ({columns}, created_at timestamptz, "
                "package_id bigint, sender_address_id bigint, receiver_address_id bigint, is_new boolean)"
            )
            cursor.execute(f"TRUNCATE {STAGE}")
            # The packages already registered, by one index lookup, so they are staged with their ids.
            cursor.execute(
                "SELECT tracking_number, id, sender_address_id, receiver_address_id FROM shipments_package"
                " WHERE tracking_number = ANY(%s)",
                [[staged[1] for staged in good]],
            )
            registered = {number: ids for number, *ids in cursor.fetchall()}
            nothing = (None, None, None)
            copy_rows(
                cursor,
                STAGE,
                (*STAGE_COLUMNS, "package_id", "sender_address_id", "receiver_address_id"),
                ([*staged, *registered.get(staged[1], nothing)] for staged in good),
            )
            # A temporary table has no statistics: without them the joins below scan the package table.
            cursor.execute(f"ANALYZE {STAGE} (package_id, sender_address_id, receiver_address_id)")
            existing = len(registered) - self._reject_frozen_changes(cursor, result)
            updated = self._update_existing(cursor)
            result.updated += updated
            result.unchanged += existing - updated
            result.created += self._insert_new(cursor)

    def _reject_frozen_changes(self, cursor: Any, result: BatchResult) -> int:
        staged = ", ".join(f"s.{name}" for name in FROZEN)
        stored = ", ".join(f"p.{name}" for name in FROZEN)
        cursor.execute(f"""
            DELETE FROM {STAGE} s USING shipments_package p
            WHERE p.id = s.package_id AND ({staged}) IS DISTINCT FROM ({stored})
            RETURNING s.line, s.tracking_number, {staged}, {stored}""")
        frozen = cursor.fetchall()
        for line, tracking_number, *values in frozen:
            changed = [
                name
                for name, new, old in zip(FROZEN, values[: len(FROZEN)], values[len(FROZEN) :], strict=True)
                if new != old
            ]
            result.rejected[line] = {
                name.removesuffix("_id"): f"{tracking_number} is already registered with another value: "
                "its parcel details and cost are frozen."
                for name in changed
            }
        return len(frozen)

    def _update_existing(self, cursor: Any) -> int:
        """Bring sender and receiver of existing packages up to date; the number of packages changed."""
        changed: set[int] = set()
        staged = ", ".join(f"s.{name}" for name in PARTY_STAGE)
        stored = ", ".join(f"p.{name}" for name in PARTY_STAGE)
        assignments = ", ".join(f"{name} = s.{name}" for name in PARTY_STAGE)
        cursor.execute(f"""
            UPDATE shipments_package p SET {assignments}, updated_at = now() FROM {STAGE} s
            WHERE p.id = s.package_id AND ({staged}) IS DISTINCT FROM ({stored}) RETURNING p.id""")
        changed.update(package_id for (package_id,) in cursor.fetchall())
        for role in ("sender", "receiver"):
            staged = ", ".join(f"s.{role}_{name}" for name in ADDRESS_COLUMNS)
            stored = ", ".join(f"l.{name}" for name in ADDRESS_COLUMNS)
            assignments = ", ".join(f"{name} = s.{role}_{name}" for name in ADDRESS_COLUMNS)
            cursor.execute(f"""
                UPDATE offices_location l SET {assignments} FROM {STAGE} s
                WHERE l.id = s.{role}_address_id AND s.package_id IS NOT NULL
                  AND ({staged}) IS DISTINCT FROM ({stored}) RETURNING s.package_id""")
            changed.update(package_id for (package_id,) in cursor.fetchall())
        if changed:
            cursor.execute("UPDATE shipments_package SET updated_at = now() WHERE id = ANY(%s)", [sorted(changed)])
        return len(changed)

    def _insert_new(self, cursor: Any) -> int:
        """Addresses, packages (ON CONFLICT on the tracking number), charges and
        ``created`` events of the staged rows that are new; how many were created."""
        cursor.execute(f"""
            UPDATE {STAGE} SET sender_address_id = nextval(pg_get_serial_sequence('offices_location', 'id')),
                               receiver_address_id = nextval(pg_get_serial_sequence('offices_location', 'id'))
            WHERE package_id IS NULL""")
        if not cursor.rowcount:
            return 0
        address = ", ".join(ADDRESS_COLUMNS)
        for role in ("sender", "receiver"):
            staged = ", ".join(f"{role}_{name}" for name in ADDRESS_COLUMNS)
            cursor.execute(f"""
                INSERT INTO offices_location (id, {address})
                SELECT {role}_address_id, {staged} FROM {STAGE} WHERE package_id IS NULL""")
        parties = ", ".join(PARTY_STAGE)
        frozen = ", ".join(FROZEN)
        cost = ", ".join(COST)
        cursor.execute(f"""
            WITH inserted AS (
                INSERT INTO shipments_package (
                    tracking_number, {parties}, sender_address_id, receiver_address_id, {frozen}, currency,
                    current_office_id, {cost}, status, received_by, created_at, updated_at)
                SELECT tracking_number, {parties}, sender_address_id, receiver_address_id, {frozen}, cost_currency,
                    origin_office_id, {cost}, 'created', '', created_at, now()
                FROM {STAGE} WHERE package_id IS NULL
                ON CONFLICT (tracking_number) DO NOTHING
                RETURNING id, tracking_number
            )
            UPDATE {STAGE} s SET package_id = inserted.id, is_new = true FROM inserted
            WHERE s.tracking_number = inserted.tracking_number""")
        created = cursor.rowcount
        cursor.execute(f"""
            INSERT INTO shipments_charge (
                package_id, kind, office_id, destination_office_id, service, base, weight, distance,
                insurance, surcharges, tax, total, currency, charged_at)
            SELECT s.package_id, 'shipping', s.origin_office_id, s.destination_office_id, s.service, s.cost_base,
                s.cost_weight, s.cost_distance, s.cost_insurance, s.cost_surcharges, s.cost_tax, s.cost_total,
                s.cost_currency, s.created_at
            FROM {STAGE} s WHERE s.is_new""")
        cursor.execute(f"""
            INSERT INTO shipments_trackingevent (
                package_id, status, office_id, occurred_at, recorded_at, source, note, reason, received_by)
            SELECT s.package_id, 'created', s.origin_office_id, s.created_at, now(), 'import', '', '', ''
            FROM {STAGE} s WHERE s.is_new""")
        return int(created)
