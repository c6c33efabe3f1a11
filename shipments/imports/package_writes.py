"""The set-based SQL of ``import_packages``: a batch's rows staged with one
COPY, then frozen facts refused, senders and receivers brought up to date,
and new packages written with their addresses, charge and ``created`` event.
"""

from typing import Any

from django.utils import timezone

from imports.copy import copy_lines
from imports.framework import BatchResult

from ..models import PackageChange, TrackingEvent
from .package_rows import (
    ADDRESS_COLUMNS,
    ADDRESS_STAGE,
    COST,
    FROZEN,
    LEAVABLE,
    PARTIES,
    PARTY_STAGE,
    STAGE,
    STAGE_COLUMNS,
    STAGE_TYPES,
)


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


def _party_columns() -> tuple[list[str], list[str]]:
    """The staged party columns (a left-out one keeps the stored value) and the stored ones, in PARTIES order."""
    staged, stored = [], []
    for name in PARTY_STAGE:
        stored.append(f"p.{name}")
        staged.append(f"COALESCE(s.{name}, p.{name})" if name in LEAVABLE else f"s.{name}")
    for name in ADDRESS_STAGE:
        role, column = name.split("_", 1)
        stored.append(f"{role[0]}l.{column}")
        staged.append(f"COALESCE(s.{name}, {role[0]}l.{column})" if name in LEAVABLE else f"s.{name}")
    return staged, stored


def party_changes(cursor: Any) -> list[tuple[int, int, str, dict[str, list[Any]]]]:
    """(line, package id, tracking number, {column: [before, after]}) of each staged
    row of a registered package whose sender or receiver it would change."""
    staged, stored = _party_columns()
    cursor.execute(
        f"""
        SELECT s.line, s.package_id, s.tracking_number, {", ".join(staged)}, {", ".join(stored)}
        FROM {STAGE} s JOIN shipments_package p ON p.id = s.package_id
        JOIN offices_location sl ON sl.id = p.sender_address_id
        JOIN offices_location rl ON rl.id = p.receiver_address_id
        WHERE NOT s.is_new AND ({", ".join(staged)}) IS DISTINCT FROM ({", ".join(stored)})"""
    )
    changes = []
    for line, package_id, tracking_number, *values in cursor.fetchall():
        after, before = values[: len(PARTIES)], values[len(PARTIES) :]
        changed = {name: [old, new] for name, old, new in zip(PARTIES, before, after, strict=True) if old != new}
        changes.append((line, package_id, tracking_number, changed))
    return changes


def update_existing(cursor: Any, package_ids: list[int]) -> None:
    """Bring sender and receiver of these staged registered packages up to date
    (``party_changes`` says which); a left-out column keeps its value."""
    assignments = ", ".join(
        f"{name} = COALESCE(s.{name}, p.{name})" if name in LEAVABLE else f"{name} = s.{name}" for name in PARTY_STAGE
    )
    cursor.execute(
        f"""
        UPDATE shipments_package p SET {assignments}, updated_at = now() FROM {STAGE} s
        WHERE p.id = s.package_id AND NOT s.is_new AND s.package_id = ANY(%s)""",
        [package_ids],
    )
    for role in ("sender", "receiver"):
        assignments = ", ".join(
            f"{name} = COALESCE(s.{role}_{name}, l.{name})"
            if f"{role}_{name}" in LEAVABLE
            else f"{name} = s.{role}_{name}"
            for name in ADDRESS_COLUMNS
        )
        cursor.execute(
            f"""
            UPDATE offices_location l SET {assignments} FROM {STAGE} s
            WHERE l.id = s.{role}_address_id AND NOT s.is_new AND s.package_id = ANY(%s)""",
            [package_ids],
        )


def change_parties(
    cursor: Any,
    changes: list[tuple[int, int, str, dict[str, list[Any]]]],
    result: BatchResult,
    *,
    allowed: bool,
    source: str,
) -> None:
    """Registered parcels whose sender or receiver the file changes (``party_changes``):
    when ``allowed`` (``--update-parties``), changed and recorded, who (the import),
    when and what (a ``PackageChange`` each, shown on the package page); else each
    row is refused, naming the columns it would change."""
    if not allowed:
        for line, _package_id, tracking_number, changed in changes:
            reason = (
                f"{tracking_number} is registered with another value: an import changes the sender and "
                "receiver of a registered parcel only when told to (--update-parties)."
            )
            result.rejected[line] = dict.fromkeys(changed, reason)
        return
    update_existing(cursor, [package_id for _line, package_id, _number, _changed in changes])
    now = timezone.now()
    PackageChange.objects.bulk_create(
        PackageChange(
            package_id=package_id,
            changed_at=now,
            source=TrackingEvent.Source.IMPORT,
            via=f"{source}, line {line}"[-1000:],
            changes=changed,
        )
        for line, package_id, _number, changed in changes
    )
    result.updated += len(changes)


def _or_default(name: str) -> str:
    """A staged column's value for a new parcel: a left-out one (NULL) is empty, or no notification."""
    if name not in LEAVABLE:
        return name
    return f"COALESCE({name}, {'false' if '_notify_' in name else chr(39) * 2})"


def insert_new(cursor: Any) -> int:
    """Addresses, packages (ON CONFLICT on the tracking number), charges and
    ``created`` events of the staged rows that are new, with the ids drawn
    for them; how many packages were created."""
    address = ", ".join(ADDRESS_COLUMNS)
    # A column the row left out is NULL in the stage: a new parcel gets the default.
    sender = ", ".join(_or_default(f"sender_{name}") for name in ADDRESS_COLUMNS)
    receiver = ", ".join(_or_default(f"receiver_{name}") for name in ADDRESS_COLUMNS)
    cursor.execute(f"""
        INSERT INTO offices_location (id, {address})
        SELECT sender_address_id, {sender} FROM {STAGE} WHERE is_new
        UNION ALL SELECT receiver_address_id, {receiver} FROM {STAGE} WHERE is_new""")
    parties = ", ".join(PARTY_STAGE)
    party_values = ", ".join(_or_default(name) for name in PARTY_STAGE)
    frozen = ", ".join(FROZEN)
    cost = ", ".join(COST)
    # One statement: a package another run registered meanwhile (the conflict) gets no charge or event.
    cursor.execute(f"""
        WITH inserted AS (
            INSERT INTO shipments_package (
                id, tracking_number, {parties}, sender_address_id, receiver_address_id, {frozen}, currency,
                current_office_id, {cost}, status, received_by, created_at, updated_at)
            SELECT package_id, tracking_number, {party_values}, sender_address_id, receiver_address_id, {frozen},
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
