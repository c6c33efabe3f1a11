"""Millions of packages for scale work (`seed_demo --packages N`), in bulk SQL
over small tables made in Python: costs from real quotes, tracking numbers from
``shipments.tracking_numbers``, histories that follow the demo journeys
(``demo.tables.JOURNEYS``).
"""

import io
import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction

from demo.seed import Summary
from demo.tables import FIRST_NAMES, JOURNEYS, LAST_NAMES, STEP
from offices.models import Office
from shipments.models import SERVICE_INDICATORS, Package, Service
from shipments.pricing import PriceList
from shipments.statuses import Status, effect_of
from shipments.tracking_numbers import issued_tracking_number, positions_to_draw
from shipments.values import Parcel

# How often each final status appears among generated packages (percent).
STATUS_MIX = {
    Status.DELIVERED: 39,
    Status.IN_TRANSIT: 10,
    Status.ARRIVED: 8,
    Status.ACCEPTED: 7,
    Status.CREATED: 5,
    Status.OUT_FOR_DELIVERY: 6,
    Status.READY_FOR_PICKUP: 5,
    Status.DELAYED: 5,
    Status.DELIVERY_FAILED: 3,
    Status.RETURN_STARTED: 1,
    Status.RETURNED: 4,
    Status.CANCELLED: 3,
    Status.LOST: 4,
}


# Journeys are folded as if their package were registered at this instant; each
# generated package shifts the results by its own registration time.
_REGISTERED = datetime(2000, 1, 1, tzinfo=UTC)
# Who signs for a delivery in the fold: the receiver, whose name each package fills in.
_RECEIVER = "receiver"


def _journey_outcome(journey, *, origin_id: int, destination_id: int, transit_days: int) -> tuple:
    """What a package looks like at the end of ``journey``: shipments.statuses.effect_of
    folded over its steps, from registration at the origin office, as
    package_record_event applies it. Times are given after registration.

    Columns of seed_outcome: status, current office, accepted, expected delivery
    and delivered after, whether the receiver signed, last event after, returning."""
    package = {"status": Status.CREATED, "current_office_id": origin_id}
    offices = {"origin": origin_id, "destination": destination_id}
    occurred_at = _REGISTERED
    for status, where, _reason in journey:
        occurred_at += STEP
        package |= effect_of(
            status,
            office_id=offices.get(where),
            occurred_at=occurred_at,
            transit_days=transit_days,
            received_by=_RECEIVER,
        )

    def after(field: str) -> timedelta | None:
        return None if package.get(field) is None else package[field] - _REGISTERED

    return (
        package["status"],
        package["current_office_id"],
        after("accepted_at"),
        after("expected_delivery_at"),
        after("delivered_at"),
        package.get("received_by") == _RECEIVER,
        occurred_at - _REGISTERED,
        package.get("returning", False),
    )


def bulk_generate_packages(target: int, summary: Summary, progress=None) -> int:
    """Top the package table up to ``target`` rows, in SQL, with histories.

    Indexes and foreign keys of the four tables written are dropped for the
    load and rebuilt after it, inside one transaction: building an index once
    is far cheaper than updating it row by row. Sends no notifications.
    Returns the number of packages added.
    """
    missing = target - Package.objects.count()
    if missing <= 0:
        return 0
    offices = list(Office.objects.active().select_related("location").order_by("code"))
    if len(offices) < 2:
        raise ValueError("Seed the network (offices) before generating packages.")
    say = progress or (lambda message: None)
    with transaction.atomic(), connection.cursor() as cursor:
        # Check what earlier statements of an enclosing transaction deferred, so
        # the tables can be altered below.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        cursor.execute("SET LOCAL synchronous_commit = off")
        template_services = _create_seed_tables(cursor, offices)
        tables = ["offices_location", "shipments_package", "shipments_trackingevent", "shipments_charge"]
        rebuild = _drop_indexes_and_foreign_keys(cursor, tables)
        say(f"generating {missing} packages")
        _insert_generated_rows(cursor, missing, template_services)
        say("rebuilding indexes and foreign keys")
        for statement in rebuild:
            cursor.execute(statement)
        for table in tables:
            cursor.execute(f"ANALYZE {table}")
    summary.add("packages generated", missing)
    return missing


def _create_seed_tables(cursor, offices: list[Office]) -> list[str]:
    """Small lookup tables the generator joins: priced parcel templates, the
    journeys and where each one leaves a package of each template. Returns the
    service of each template, by index."""
    rng = random.Random(7)
    price_list = PriceList.load()
    templates, outcomes = [], []
    sizes = [(450, 20, 15, 5), (1_200, 30, 20, 15), (3_500, 40, 30, 30), (9_000, 60, 40, 40), (18_000, 80, 50, 40)]
    for origin in offices:
        for destination in offices:
            for service in Service.values:
                weight, length, width, height = rng.choice(sizes)
                declared_value = Decimal(rng.choice([0, 50, 200]))
                cost = price_list.quote(
                    Parcel(
                        origin_office=origin,
                        destination_office=destination,
                        service=service,
                        weight_grams=weight,
                        length_cm=length,
                        width_cm=width,
                        height_cm=height,
                        declared_value=declared_value,
                    )
                )
                for final_status, journey in JOURNEYS.items():
                    outcome = _journey_outcome(
                        journey, origin_id=origin.pk, destination_id=destination.pk, transit_days=cost.transit_days
                    )
                    outcomes.append((len(templates), final_status, *outcome))
                templates.append(
                    (
                        len(templates),
                        origin.pk,
                        destination.pk,
                        service,
                        weight,
                        length,
                        width,
                        height,
                        declared_value,
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
                        origin.location.city,
                        destination.location.city,
                    )
                )
    cursor.execute("""
        CREATE TEMP TABLE seed_template (
            idx int PRIMARY KEY, origin_id bigint, destination_id bigint, service text,
            weight_grams int, length_cm int, width_cm int, height_cm int, declared_value numeric,
            chargeable_weight_grams int, distance_km numeric, base numeric, weight numeric, distance numeric,
            insurance numeric, surcharges numeric, tax numeric, total numeric, currency text, transit_days int,
            origin_city text, destination_city text
        ) ON COMMIT DROP""")
    _copy(cursor, "seed_template", templates)

    cursor.execute("""
        CREATE TEMP TABLE seed_outcome (
            template int, final text, status text, current_office_id bigint, accepted_after interval,
            expected_delivery_after interval, delivered_after interval, signed_by_receiver bool,
            last_event_after interval, "returning" bool, PRIMARY KEY (template, final)
        ) ON COMMIT DROP""")
    _copy(cursor, "seed_outcome", outcomes)

    journeys, mix = [], []
    for final_status, journey in JOURNEYS.items():
        steps = [(Status.CREATED, "origin", "")] + journey
        for step, (status, where, reason) in enumerate(steps):
            journeys.append((final_status, step, status, where, reason))
    for final_status, share in STATUS_MIX.items():
        mix += [final_status] * share
    cursor.execute(
        "CREATE TEMP TABLE seed_journey (final text, step int, status text, office_role text, reason text)"
        " ON COMMIT DROP"
    )
    _copy(cursor, "seed_journey", journeys)
    cursor.execute("CREATE TEMP TABLE seed_mix (idx int PRIMARY KEY, final text) ON COMMIT DROP")
    _copy(cursor, "seed_mix", enumerate(mix))
    cursor.execute("CREATE TEMP TABLE seed_name (idx int PRIMARY KEY, first text, last text) ON COMMIT DROP")
    names = [
        (i, FIRST_NAMES[i % len(FIRST_NAMES)], LAST_NAMES[(i * 7) % len(LAST_NAMES)])
        for i in range(len(FIRST_NAMES) * len(LAST_NAMES))
    ]
    _copy(cursor, "seed_name", names)
    cursor.execute(
        "ANALYZE seed_template; ANALYZE seed_outcome; ANALYZE seed_journey; ANALYZE seed_mix; ANALYZE seed_name"
    )
    return [template[3] for template in templates]


def _copy(cursor, table: str, rows) -> None:
    """Load rows of plain values (no tabs, newlines or backslashes in them) with
    one COPY instead of a round trip per row. None is NULL; PostgreSQL reads the
    str() of a Decimal, a bool and a (positive) timedelta as they are meant."""
    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join(r"\N" if value is None else str(value) for value in row) + "\n")
    buffer.seek(0)
    cursor.copy_expert(f"COPY {table} FROM STDIN", buffer)


def _drop_indexes_and_foreign_keys(cursor, tables: list[str]) -> list[str]:
    """Drop secondary indexes and foreign keys; return the statements that rebuild them."""
    cursor.execute(
        """
        SELECT con.conrelid::regclass::text, con.conname, pg_get_constraintdef(con.oid)
        FROM pg_constraint con
        WHERE con.conrelid = ANY(%s::regclass[]) AND con.contype IN ('f', 'u')
        ORDER BY con.contype DESC""",
        [tables],
    )
    constraints = cursor.fetchall()
    constraint_names = {name for _, name, _ in constraints}
    cursor.execute(
        """
        SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
        FROM pg_index i
        WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary""",
        [tables],
    )
    indexes = [(name, definition) for name, definition in cursor.fetchall() if name not in constraint_names]
    rebuild = []
    for table, name, _ in constraints:
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, definition in indexes:
        cursor.execute(f"DROP INDEX {name}")
        rebuild.append(definition)
    # Unique constraints before the foreign keys that may rely on them.
    rebuild += [f'ALTER TABLE {t} ADD CONSTRAINT "{n}" {d}' for t, n, d in constraints if d.startswith("UNIQUE")]
    rebuild += [f'ALTER TABLE {t} ADD CONSTRAINT "{n}" {d}' for t, n, d in constraints if not d.startswith("UNIQUE")]
    return rebuild


def _reserve_ids(cursor, table: str, count: int) -> int:
    """Take ``count`` ids from the table's identity sequence; return the first."""
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
    (sequence,) = cursor.fetchone()
    cursor.execute("SELECT nextval(%s)", [sequence])
    (first,) = cursor.fetchone()
    cursor.execute("SELECT setval(%s, %s)", [sequence, first + count - 1])
    return first


def _insert_generated_rows(cursor, count: int, template_services: list[str]) -> None:
    location_first = _reserve_ids(cursor, "offices_location", 2 * count)
    package_first = _reserve_ids(cursor, "shipments_package", count)
    _load_tracking_numbers(cursor, count, template_services)
    cursor.execute(
        """
        CREATE TEMP TABLE seed_package ON COMMIT DROP AS
        SELECT g.n, %(package_first)s + g.n - 1 AS id,
               t.*, m.final, o.status, o.current_office_id, o.accepted_after, o.expected_delivery_after,
               o.delivered_after, o.signed_by_receiver, o.last_event_after, o."returning",
               nm_s.first || ' ' || nm_s.last AS sender_name, nm_r.first || ' ' || nm_r.last AS receiver_name,
               now() - interval '3 days' - (g.n * 7919 %% 259200) * interval '1 minute' AS created_at,
               g.tracking_number
        FROM seed_number g
        JOIN seed_template t ON t.idx = g.template
        JOIN seed_mix m ON m.idx = (g.n * 48271 %% 100)
        JOIN seed_outcome o ON o.template = g.template AND o.final = m.final
        JOIN seed_name nm_s ON nm_s.idx = (g.n * 31 %% 480)
        JOIN seed_name nm_r ON nm_r.idx = (g.n * 97 %% 480)""",
        {"package_first": package_first},
    )
    cursor.execute(
        """
        INSERT INTO offices_location (id, line1, line2, city, region, postal_code, country, latitude, longitude)
        SELECT %(location_first)s + 2 * (n - 1) + side,
               ((n * 13 + side) %% 998 + 1)::text || ' ' || (ARRAY['Maple St','Oak Ave','Pine Rd','Cedar Ln',
                   'Elm St','Lake Dr','Hill Rd','Park Ave','River Rd'])[(n + side) %% 9 + 1],
               '', CASE side WHEN 0 THEN origin_city ELSE destination_city END, '', '', 'US', NULL, NULL
        FROM seed_package, (VALUES (0), (1)) AS sides(side)""",
        {"location_first": location_first},
    )
    cursor.execute(
        """
        INSERT INTO shipments_package (
            id, tracking_number, sender_name, sender_phone, sender_email, sender_address_id,
            sender_notify_sms, sender_notify_email, receiver_name, receiver_phone, receiver_email,
            receiver_address_id, receiver_notify_sms, receiver_notify_email, origin_office_id,
            current_office_id, destination_office_id, service, weight_grams, length_cm, width_cm, height_cm,
            declared_value, currency, chargeable_weight_grams, distance_km, cost_base, cost_weight, cost_distance,
            cost_insurance, cost_surcharges, cost_tax, cost_total, cost_currency, transit_days, status,
            accepted_at, expected_delivery_at, delivered_at, received_by, created_at, created_by_id, updated_at,
            "returning")
        SELECT p.id, p.tracking_number, p.sender_name, '+1212555' || lpad((p.n * 7 %% 10000)::text, 4, '0'), '',
               %(location_first)s + 2 * (p.n - 1), p.n %% 2 = 0, false,
               p.receiver_name, '+1212555' || lpad((p.n * 11 %% 10000)::text, 4, '0'), '',
               %(location_first)s + 2 * (p.n - 1) + 1, p.n %% 3 = 0, false,
               p.origin_id, p.current_office_id, p.destination_id, p.service, p.weight_grams, p.length_cm,
               p.width_cm, p.height_cm, p.declared_value, p.currency, p.chargeable_weight_grams, p.distance_km,
               p.base, p.weight, p.distance, p.insurance, p.surcharges, p.tax, p.total, p.currency, p.transit_days,
               p.status,
               p.created_at + p.accepted_after, p.created_at + p.expected_delivery_after,
               p.created_at + p.delivered_after,
               CASE WHEN NOT p.signed_by_receiver THEN '' WHEN p.status = 'returned' THEN p.sender_name
                    ELSE p.receiver_name END,
               p.created_at, NULL, p.created_at + p.last_event_after, p."returning"
        FROM seed_package p""",
        {"location_first": location_first},
    )
    cursor.execute(
        """
        INSERT INTO shipments_trackingevent (
            package_id, status, office_id, occurred_at, recorded_at, recorded_by_id, source, note, reason,
            received_by, external_id)
        SELECT p.id, j.status,
               CASE j.office_role WHEN 'origin' THEN p.origin_id WHEN 'destination' THEN p.destination_id END,
               p.created_at + j.step * %(step)s, p.created_at + j.step * %(step)s, NULL,
               CASE WHEN j.step = 0 THEN 'counter' ELSE 'scan' END, '', j.reason,
               CASE j.status WHEN 'delivered' THEN p.receiver_name WHEN 'returned' THEN p.sender_name ELSE '' END, NULL
        FROM seed_package p JOIN seed_journey j ON j.final = p.final
        ORDER BY p.id, j.step""",
        {"step": STEP},
    )
    # Cancelling gives the whole price back (package_record_event), when the cancel is recorded.
    cursor.execute(
        """
        INSERT INTO shipments_charge (package_id, kind, office_id, destination_office_id, service, base, weight,
            distance, insurance, surcharges, tax, total, currency, charged_at)
        SELECT p.id, k.kind, p.origin_id, p.destination_id, p.service, k.sign * p.base, k.sign * p.weight,
               k.sign * p.distance, k.sign * p.insurance, k.sign * p.surcharges, k.sign * p.tax, k.sign * p.total,
               p.currency, p.created_at + CASE k.kind WHEN 'refund' THEN p.last_event_after ELSE interval '0' END
        FROM seed_package p
        JOIN (VALUES ('shipping', 1), ('refund', -1)) AS k(kind, sign)
          ON k.kind = 'shipping' OR p.status = 'cancelled'"""
    )


def _load_tracking_numbers(cursor, count: int, template_services: list[str]) -> None:
    """seed_number: each generated package's template and tracking number.

    Positions come from the tracking-number sequence, blocks reserved with one
    setval each (one block nearly always suffices); the numbers are drawn by
    shipments.tracking_numbers.issued_tracking_number, the one implementation
    (the keyed permutation, S10 and the serials never issued), and loaded with
    one COPY. The template (and so the service, whose
    letters start the number) is picked here for that reason.
    """
    indicators = [SERVICE_INDICATORS[service] for service in template_services]
    country, key = settings.TRACKING_NUMBER_COUNTRY, settings.TRACKING_NUMBER_KEY
    lines: list[str] = []
    while len(lines) < count:
        # About 2 serials in 11 are not issuable (see tracking_numbers): reserve enough, and more if short.
        cursor.execute("SELECT nextval('shipments_tracking_serial'), plain_below FROM shipments_tracking_serial_scheme")
        position_first, plain_below = cursor.fetchone()
        reserve = positions_to_draw(count - len(lines), plain_below=plain_below)
        cursor.execute("SELECT setval('shipments_tracking_serial', %s)", [position_first + reserve - 1])
        for position in range(position_first, position_first + reserve):
            n = len(lines) + 1
            template = n * 2654435761 % len(indicators)
            number = issued_tracking_number(indicators[template], position, country, key=key, plain_below=plain_below)
            if number is not None:
                lines.append(f"{n}\t{template}\t{number}\n")
                if n == count:
                    break
    cursor.execute("CREATE TEMP TABLE seed_number (n bigint, template int, tracking_number text) ON COMMIT DROP")
    cursor.copy_expert("COPY seed_number FROM STDIN", io.StringIO("".join(lines)))
