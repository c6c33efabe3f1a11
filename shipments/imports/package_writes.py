"""The set-based SQL of ``import_packages``: a batch's rows staged with one
COPY, then frozen facts refused, senders and receivers brought up to date,
and new packages written with their addresses, charge and ``created`` event.
"""

from typing import Any

from imports.copy import copy_lines
from imports.framework import BatchResult

from .package_rows import ADDRESS_COLUMNS, COST, FROZEN, PARTY_STAGE, STAGE, STAGE_COLUMNS, STAGE_TYPES


def stage(cursor: Any, lines: list[str]) -> None:
    """The batch's staged rows (COPY text lines) in the staging table, analyzed."""
    columns = ", ".join(f"{name} {STAGE_TYPES.get(name, 'text')}" for name in STAGE_COLUMNS)
    cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS {STAGE} ({columns})")
    cursor.execute(f"TRUNCATE {STAGE}")
    copy_lines(cursor, STAGE, STAGE_COLUMNS, "".join(lines))
    # A temporary table has no statistics: without them the joins below scan the package table.
    cursor.execute(f"ANALYZE {STAGE} (package_id, sender_address_id, receiver_address_id, is_new)")


def reject_frozen_changes(cursor: Any, result: BatchResult) -> int:
    staged = ", ".join(f"s.{name}" for name in FROZEN)
    stored = ", ".join(f"p.{name}" for name in FROZEN)
    cursor.execute(f"""
        DELETE FROM {STAGE} s USING shipments_package p
        WHERE p.id = s.package_id AND NOT s.is_new AND ({staged}) IS DISTINCT FROM ({stored})
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


def update_existing(cursor: Any) -> int:
    """Bring sender and receiver of existing packages up to date; the number of packages changed."""
    changed: set[int] = set()
    staged = ", ".join(f"s.{name}" for name in PARTY_STAGE)
    stored = ", ".join(f"p.{name}" for name in PARTY_STAGE)
    assignments = ", ".join(f"{name} = s.{name}" for name in PARTY_STAGE)
    cursor.execute(f"""
        UPDATE shipments_package p SET {assignments}, updated_at = now() FROM {STAGE} s
        WHERE p.id = s.package_id AND NOT s.is_new AND ({staged}) IS DISTINCT FROM ({stored}) RETURNING p.id""")
    changed.update(package_id for (package_id,) in cursor.fetchall())
    for role in ("sender", "receiver"):
        staged = ", ".join(f"s.{role}_{name}" for name in ADDRESS_COLUMNS)
        stored = ", ".join(f"l.{name}" for name in ADDRESS_COLUMNS)
        assignments = ", ".join(f"{name} = s.{role}_{name}" for name in ADDRESS_COLUMNS)
        cursor.execute(f"""
            UPDATE offices_location l SET {assignments} FROM {STAGE} s
            WHERE l.id = s.{role}_address_id AND NOT s.is_new
              AND ({staged}) IS DISTINCT FROM ({stored}) RETURNING s.package_id""")
        changed.update(package_id for (package_id,) in cursor.fetchall())
    if changed:
        cursor.execute("UPDATE shipments_package SET updated_at = now() WHERE id = ANY(%s)", [sorted(changed)])
    return len(changed)


def insert_new(cursor: Any) -> int:
    """Addresses, packages (ON CONFLICT on the tracking number), charges and
    ``created`` events of the staged rows that are new, with the ids drawn
    for them; how many packages were created."""
    address = ", ".join(ADDRESS_COLUMNS)
    sender = ", ".join(f"sender_{name}" for name in ADDRESS_COLUMNS)
    receiver = ", ".join(f"receiver_{name}" for name in ADDRESS_COLUMNS)
    cursor.execute(f"""
        INSERT INTO offices_location (id, {address})
        SELECT sender_address_id, {sender} FROM {STAGE} WHERE is_new
        UNION ALL SELECT receiver_address_id, {receiver} FROM {STAGE} WHERE is_new""")
    parties = ", ".join(PARTY_STAGE)
    frozen = ", ".join(FROZEN)
    cost = ", ".join(COST)
    # One statement: a package another run registered meanwhile (the conflict) gets no charge or event.
    cursor.execute(f"""
        WITH inserted AS (
            INSERT INTO shipments_package (
                id, tracking_number, {parties}, sender_address_id, receiver_address_id, {frozen}, currency,
                current_office_id, {cost}, status, received_by, created_at, updated_at)
            SELECT package_id, tracking_number, {parties}, sender_address_id, receiver_address_id, {frozen},
                cost_currency, origin_office_id, {cost}, 'created', '', created_at, now()
            FROM {STAGE} WHERE is_new
            ON CONFLICT (tracking_number) DO NOTHING
            RETURNING id
        ), charged AS (
            INSERT INTO shipments_charge (
                package_id, kind, office_id, destination_office_id, service, base, weight, distance,
                insurance, surcharges, tax, total, currency, charged_at)
            SELECT s.package_id, 'shipping', s.origin_office_id, s.destination_office_id, s.service,
                s.cost_base, s.cost_weight, s.cost_distance, s.cost_insurance, s.cost_surcharges, s.cost_tax,
                s.cost_total, s.cost_currency, s.created_at
            FROM {STAGE} s JOIN inserted ON inserted.id = s.package_id WHERE s.is_new
        )
        INSERT INTO shipments_trackingevent (
            package_id, status, office_id, occurred_at, recorded_at, source, note, reason, received_by)
        SELECT s.package_id, 'created', s.origin_office_id, s.created_at, now(), 'import', '', '', ''
        FROM {STAGE} s JOIN inserted ON inserted.id = s.package_id WHERE s.is_new""")
    return int(cursor.rowcount)
