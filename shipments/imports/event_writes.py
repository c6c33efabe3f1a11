"""The set-based write of checked tracking events (an import's, a bag's
dispatch and receipt): staged with COPY, then one INSERT of the events, one
UPDATE of their packages, and the charges that follow (a cancellation's
refund, a return's fee)."""

from typing import Any

from imports.copy import copy_rows

EVENT_STAGE = "import_event_stage"
PACKAGE_STAGE = "import_event_package_stage"
EVENT_COLUMNS = ("package_id", "status", "office_id", "occurred_at", "note", "reason", "received_by", "external_id")
PACKAGE_COLUMNS = (
    "id",
    "status",
    "current_office_id",
    "accepted_at",
    "expected_delivery_at",
    "delivered_at",
    "received_by",
    "returning",
    "holding_until",
    "holding_reminded_at",
    # Staged only, not package columns: what follows a cancellation (a refund) and a return (its fee).
    "cancelled_at",
    "return_started_at",
)
STAGED_ONLY = frozenset({"id", "cancelled_at", "return_started_at"})


def write_events(cursor: Any, events: list[tuple[Any, ...]], packages: list[dict[str, Any]], *, source: str) -> None:
    """The set-based write of checked events: ``events`` rows of ``EVENT_COLUMNS``
    and the packages' new ``PACKAGE_COLUMNS``, staged with COPY, then one INSERT of
    the events (``source``), one UPDATE of the packages and the refunds of
    cancellations. Fires no signals: the caller enqueues the notifications
    (``enqueue_notifications``). Used by the import and by a bag's dispatch and receipt."""
    cursor.execute(
        f"CREATE TEMP TABLE IF NOT EXISTS {EVENT_STAGE} (package_id bigint, status text, office_id bigint, "
        "occurred_at timestamptz, note text, reason text, received_by text, external_id text)"
    )
    cursor.execute(
        f"CREATE TEMP TABLE IF NOT EXISTS {PACKAGE_STAGE} (id bigint, status text, current_office_id bigint, "
        "accepted_at timestamptz, expected_delivery_at timestamptz, delivered_at timestamptz, "
        'received_by text, "returning" boolean, holding_until timestamptz, holding_reminded_at timestamptz, '
        "cancelled_at timestamptz, return_started_at timestamptz)"
    )
    cursor.execute(f"TRUNCATE {EVENT_STAGE}, {PACKAGE_STAGE}")
    copy_rows(cursor, EVENT_STAGE, EVENT_COLUMNS, events)
    copy_rows(
        cursor,
        PACKAGE_STAGE,
        PACKAGE_COLUMNS,
        ([package[name] for name in PACKAGE_COLUMNS] for package in packages),
    )
    # A temporary table has no statistics: without them the update below scans the package table.
    cursor.execute(f"ANALYZE {PACKAGE_STAGE} (id)")
    columns = ", ".join(EVENT_COLUMNS)
    cursor.execute(
        f"""
        INSERT INTO shipments_trackingevent ({columns}, recorded_at, source)
        SELECT {columns}, now(), %s FROM {EVENT_STAGE}
        ON CONFLICT (external_id) WHERE external_id IS NOT NULL DO NOTHING""",
        [source],
    )
    # Quoted: "returning" is a keyword of SQL.
    assignments = ", ".join(f'"{name}" = s."{name}"' for name in PACKAGE_COLUMNS if name not in STAGED_ONLY)
    cursor.execute(
        f"UPDATE shipments_package p SET {assignments}, updated_at = now() FROM {PACKAGE_STAGE} s WHERE p.id = s.id"
    )
    # Cancelling before acceptance gives the whole price back (as the service does), dated when
    # written: a late import never changes a month whose report is closed.
    cursor.execute(f"""
        INSERT INTO shipments_charge (
            package_id, kind, office_id, destination_office_id, service, base, weight, distance,
            insurance, surcharges, tax, total, currency, charged_at)
        SELECT c.package_id, 'refund', c.office_id, c.destination_office_id, c.service, -c.base, -c.weight,
            -c.distance, -c.insurance, -c.surcharges, -c.tax, -c.total, c.currency, now()
        FROM {PACKAGE_STAGE} s JOIN shipments_charge c ON c.package_id = s.id AND c.kind = 'shipping'
        WHERE s.cancelled_at IS NOT NULL
        ON CONFLICT (package_id, kind) DO NOTHING""")
    # A return started adds its tariff's return fee (as shipments.charges.return_charge does).
    cursor.execute(f"""
        INSERT INTO shipments_charge (
            package_id, kind, office_id, destination_office_id, service, base, weight, distance,
            insurance, surcharges, tax, total, currency, charged_at)
        SELECT p.id, 'return', p.origin_office_id, p.destination_office_id, p.service, t.return_fee, 0, 0,
            0, 0, 0, t.return_fee, t.currency, now()
        FROM {PACKAGE_STAGE} s JOIN shipments_package p ON p.id = s.id JOIN shipments_tariff t ON t.service = p.service
        WHERE s.return_started_at IS NOT NULL AND t.return_fee > 0
        ON CONFLICT (package_id, kind) DO NOTHING""")
