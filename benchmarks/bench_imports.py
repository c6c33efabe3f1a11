"""Imports and exports at scale, in a scratch database of their own
(``<prefix>_imports``: the demo network, no packages), on a generated file of
BENCH_IMPORT_ROWS parcels (1M by default).

Keys:
- ``copy_rows_per_s``: raw COPY of the same package file into a bare table of text columns;
- ``copy_tables_rows_per_s``: the rows the import wrote (two addresses, the package, its charge and its
  ``created`` event per parcel) COPY'd into the same tables of a second database made like the first, in one
  transaction: storing these packages with the schema's indexes and constraints and nothing else, the
  physical limit of an import into this schema;
- ``import_packages_rows_per_s``: ``manage.py import_packages`` of the file, all new
  (``import_vs_copy`` and ``import_vs_table_copy``: its ratio to each COPY; goal ≥ 0.5× the second, see
  the README for why not the first);
- ``import_packages_rerun_rows_per_s``: the same file again, all unchanged (goal: faster than the first);
- ``import_events_rows_per_s``: one ``accepted`` event per package;
- ``export_packages_rows_per_s``: ``manage.py export_packages`` of every package to CSV;
- ``import_peak_rss_mb``: the largest resident memory of those commands (goal < 300 MB).

The commands run as an operator runs them (a process each), so their memory is their own.
"""

import csv
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Its own scratch database: the 1k/1m ones are not needed (benchmarks/run.py).
SEEDED = False
# The file's numbers are a partner's: an import refuses new numbers of our own country (US).
PARTNER_COUNTRY = "DE"


def _packages_file(path: Path, count: int, offices: list[str], taken: set[str], first_serial: int = 60_000_000) -> None:
    """``count`` new parcels; ``taken``: the tracking numbers already registered (the demo's), left out."""
    from shipments.models import SERVICE_INDICATORS, Service
    from shipments.tracking_numbers import issuable_tracking_number

    rng = random.Random(13)
    services = Service.values
    serial = first_serial
    with path.open("w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(
            [
                "tracking_number",
                "origin_office",
                "destination_office",
                "service",
                "weight_grams",
                "length_cm",
                "width_cm",
                "height_cm",
                "declared_value",
                "currency",
                "sender_name",
                "sender_email",
                "sender_phone",
                "sender_line1",
                "sender_line2",
                "sender_city",
                "sender_region",
                "sender_postal_code",
                "sender_country",
                "receiver_name",
                "receiver_email",
                "receiver_phone",
                "receiver_line1",
                "receiver_line2",
                "receiver_city",
                "receiver_region",
                "receiver_postal_code",
                "receiver_country",
                "sender_notify_sms",
                "sender_notify_email",
                "receiver_notify_sms",
                "receiver_notify_email",
                "created_at",
            ]
        )
        for n in range(count):
            service = services[n % 3]
            number = None
            while number is None:
                serial += 1
                number = issuable_tracking_number(SERVICE_INDICATORS[service], serial, PARTNER_COUNTRY)
                if number in taken:
                    number = None
            origin, destination = rng.sample(offices, 2)
            writer.writerow(
                [
                    number,
                    origin,
                    destination,
                    service,
                    rng.randrange(100, 30_000),
                    rng.randrange(5, 120),
                    rng.randrange(5, 80),
                    rng.randrange(5, 60),
                    rng.choice(("0", "25.00", "250.00")),
                    "",
                    f"Sender {n}",
                    "",
                    "+12125550142",
                    f"{n} Main St",
                    "",
                    "New York",
                    "NY",
                    "10001",
                    "US",
                    f"Receiver {n}",
                    f"r{n}@example.com",
                    "",
                    f"{n} Ocean Ave",
                    "",
                    "Los Angeles",
                    "CA",
                    "90001",
                    "US",
                    "true",
                    "false",
                    "false",
                    "true",
                    f"2026-01-{1 + n % 28:02d}T{n % 24:02d}:00:00Z",
                ]
            )


def _events_file(packages: Path, path: Path) -> None:
    with packages.open(newline="") as source, path.open("w", newline="") as file:
        reader = csv.DictReader(source)
        writer = csv.writer(file)
        writer.writerow(["tracking_number", "status", "office", "occurred_at", "external_id"])
        for row in reader:
            occurred_at = row["created_at"].replace(":00:00Z", ":30:00Z")  # half an hour after registration
            writer.writerow(
                [
                    row["tracking_number"],
                    "accepted",
                    row["origin_office"],
                    occurred_at,
                    f"bench-{row['tracking_number']}",
                ]
            )


# What the import writes for each parcel, in the order their foreign keys need.
WRITTEN = ("offices_location", "shipments_package", "shipments_charge", "shipments_trackingevent")


def _last_ids(cursor) -> dict[str, int]:
    """The largest id of each written table before the import: the import's rows are the ones after."""
    last = {}
    for table in WRITTEN:
        cursor.execute(f"SELECT coalesce(max(id), 0) FROM {table}")  # noqa: S608 (our table names)
        last[table] = cursor.fetchone()[0]
    return last


def _clone(server_url: str, template: str, name: str) -> None:
    """``name``: a copy of ``template`` as it is now (nobody may be connected to it)."""
    from benchmarks.run import admin_connection

    connection = admin_connection(server_url)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        cursor.execute(f"CREATE DATABASE {name} TEMPLATE {template}")
    connection.close()


def _drop(server_url: str, name: str) -> None:
    from benchmarks.run import admin_connection

    connection = admin_connection(server_url)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    connection.close()


def _copy_into_twin(database_url: str, twin_url: str, before: dict[str, int], folder: Path) -> float:
    """Copy the rows the import wrote out of its database (COPY TO, not timed) and
    into the twin, made from the same database before the import, in one
    transaction with COPY FROM: the seconds that took, commit (the deferred
    foreign-key checks) included."""
    import psycopg2

    files = {table: folder / f"{table}.copy" for table in WRITTEN}
    source = psycopg2.connect(database_url)
    with source.cursor() as cursor:
        for table, path in files.items():
            with path.open("w") as file:
                cursor.copy_expert(f"COPY (SELECT * FROM {table} WHERE id > {before[table]}) TO STDOUT", file)
    source.close()
    target = psycopg2.connect(twin_url)
    started = time.perf_counter()
    with target.cursor() as cursor:
        for table, path in files.items():
            with path.open() as file:
                cursor.copy_expert(f"COPY {table} FROM STDIN", file, size=1 << 20)
    target.commit()
    elapsed = time.perf_counter() - started
    target.close()
    return elapsed


def _command(database_url: str, *args: str) -> float:
    """Run ``manage.py`` as an operator does; its wall time in seconds."""
    env = os.environ | {"DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    started = time.perf_counter()
    completed = subprocess.run(  # noqa: S603 (our own command)
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    elapsed = time.perf_counter() - started
    if completed.returncode != 0:
        raise RuntimeError(f"{args[0]} failed ({completed.returncode}): {completed.stderr[-2000:]}")
    print(f"bench: {completed.stdout.strip()}", file=sys.stderr)
    return elapsed


def run(bench) -> dict:
    from django.core.management import call_command
    from django.db import connection, connections

    from benchmarks.run import PREFIX, _recreate, _with_database
    from offices.models import Office
    from shipments.models import Package

    count = int(os.environ.get("BENCH_IMPORT_ROWS", 1_000_000))
    name = f"{PREFIX}_imports"
    _recreate(bench.server_url, name)
    database_url = _with_database(bench.server_url, name)
    connections["default"].close()
    connections["default"].settings_dict["NAME"] = name
    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0)
    offices = list(Office.objects.values_list("code", flat=True))
    taken = set(Package.objects.values_list("tracking_number", flat=True))
    with connection.cursor() as cursor:
        before = _last_ids(cursor)
    connections["default"].close()
    twin = f"{PREFIX}_imports_twin"
    _clone(bench.server_url, name, twin)
    results = {}
    with tempfile.TemporaryDirectory() as folder:
        packages, events = Path(folder) / "packages.csv", Path(folder) / "events.csv"
        _packages_file(packages, count, offices, taken)
        _events_file(packages, events)

        with connection.cursor() as cursor:
            columns = packages.open().readline().strip().split(",")
            cursor.execute(f"CREATE TABLE bench_copy ({', '.join(f'{column} text' for column in columns)})")
            started = time.perf_counter()
            with packages.open() as file:
                cursor.copy_expert("COPY bench_copy FROM STDIN WITH (FORMAT csv, HEADER)", file)
            results["copy_rows_per_s"] = round(count / (time.perf_counter() - started))
            cursor.execute("DROP TABLE bench_copy")
        connections["default"].close()

        elapsed = _command(database_url, "import_packages", str(packages))
        results["import_packages_rows_per_s"] = round(count / elapsed)
        results["copy_tables_rows_per_s"] = round(
            count / _copy_into_twin(database_url, _with_database(bench.server_url, twin), before, Path(folder))
        )
        elapsed = _command(database_url, "import_packages", str(packages))
        results["import_packages_rerun_rows_per_s"] = round(count / elapsed)
        elapsed = _command(database_url, "import_events", str(events))
        results["import_events_rows_per_s"] = round(count / elapsed)
        elapsed = _command(database_url, "export_packages", str(Path(folder) / "export.csv"))
        results["export_packages_rows_per_s"] = round(count / elapsed)
    # ru_maxrss is in kilobytes on Linux: the largest of the commands above.
    results["import_peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)
    results["import_vs_copy"] = round(results["import_packages_rows_per_s"] / results["copy_rows_per_s"], 3)
    results["import_vs_table_copy"] = round(
        results["import_packages_rows_per_s"] / results["copy_tables_rows_per_s"], 3
    )
    connections["default"].close()
    _drop(bench.server_url, twin)
    bench.use("1k")
    return results


if __name__ == "__main__":
    # One benchmark alone: python benchmarks/bench_imports.py (BENCH_IMPORT_ROWS=100000 while iterating).
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    from benchmarks.run import Bench, _server_url

    django.setup()
    print(run(Bench(_server_url())))
