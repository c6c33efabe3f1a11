"""`make bench`: seed scratch databases at scale and measure.

Two scratch databases on the same server as the project's database
(DATABASE_URL, or the embedded one): ``parcels_bench_1k`` and
``parcels_bench_1m``. Every ``benchmarks/bench_*.py`` module has a
``run(bench) -> dict`` whose keys are merged into ``benchmarks/results.json``
(one flat object of numbers). Ratios are measured within one run, on one
machine, because these machines are noisy.
"""

import importlib
import json
import os
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
# Keep the database connection across requests, as production does
# (config/settings/base.py): a deployed Lambda does not reconnect per request.
os.environ.setdefault("DATABASE_CONN_MAX_AGE", "60")

SIZES = {"1k": 1_000, "1m": int(os.environ.get("BENCH_PACKAGES", 1_000_000))}
# BENCH_DB_PREFIX keeps two people's runs on one server apart; BENCH_REUSE=1
# keeps already seeded scratch databases (for iterating on one benchmark).
PREFIX = os.environ.get("BENCH_DB_PREFIX", "parcels_bench")
REUSE = os.environ.get("BENCH_REUSE") == "1"
# BENCH_ONLY=imports,rules runs only those benchmarks/bench_*.py modules; the
# 1k/1m databases are seeded only when a module that uses them runs (SEEDED).
ONLY = {name.strip() for name in os.environ.get("BENCH_ONLY", "").split(",") if name.strip()}


def _server_url() -> str:
    if os.environ.get("DATABASE_URL"):
        return os.environ["DATABASE_URL"]
    from config.settings.embedded_postgres import embedded_database_url

    return embedded_database_url()


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


class Bench:
    """What a benchmark module gets: switch between the scratch databases, time things."""

    def __init__(self, server_url: str):
        self.server_url = server_url

    def use(self, size: str) -> None:
        from django.db import connections

        connections["default"].close()
        connections["default"].settings_dict["NAME"] = f"{PREFIX}_{size}"

    def interleaved_ms(self, functions: dict, rounds: int = 6, repeat: int = 8, warmup: int = 2) -> dict:
        """Median milliseconds per database size, measured in alternating rounds.

        ``functions`` maps a size ("1k", "1m") to a callable. Taking the sizes
        in turn, round after round, spreads the machine's drift over both, so
        their ratio is not skewed by whatever else ran during one of them.
        """
        samples: dict[str, list[float]] = {size: [] for size in functions}
        for _ in range(rounds):
            for size, function in functions.items():
                self.use(size)
                for _ in range(warmup):
                    function()
                for _ in range(repeat):
                    started = time.perf_counter()
                    function()
                    samples[size].append((time.perf_counter() - started) * 1000)
        return {size: round(sorted(values)[len(values) // 2], 2) for size, values in samples.items()}

    @staticmethod
    def timed_ms(function, repeat: int = 20, warmup: int = 3) -> float:
        """Median wall time of ``function()`` in milliseconds, after a warm-up."""
        for _ in range(warmup):
            function()
        samples = []
        for _ in range(repeat):
            started = time.perf_counter()
            function()
            samples.append((time.perf_counter() - started) * 1000)
        samples.sort()
        return round(samples[len(samples) // 2], 2)


def admin_connection(server_url: str):
    """An autocommit connection to the server's ``postgres`` database, for creating and dropping others."""
    import psycopg2

    connection = psycopg2.connect(_with_database(server_url, "postgres"))
    connection.autocommit = True
    return connection


def _recreate(server_url: str, name: str) -> bool:
    """A fresh scratch database (or the existing one with BENCH_REUSE=1); True if fresh."""
    connection = admin_connection(server_url)
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if REUSE and cursor.fetchone():
            connection.close()
            return False
        cursor.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        cursor.execute(f"CREATE DATABASE {name}")
    connection.close()
    return True


def _row_count(cursor) -> int:
    cursor.execute(
        "SELECT (SELECT count(*) FROM shipments_package) + (SELECT count(*) FROM shipments_trackingevent)"
        " + (SELECT count(*) FROM shipments_charge) + (SELECT count(*) FROM offices_location)"
    )
    return cursor.fetchone()[0]


def _modules() -> list:
    modules = []
    for path in sorted(Path(__file__).parent.glob("bench_*.py")):
        if not ONLY or path.stem.removeprefix("bench_") in ONLY:
            modules.append(importlib.import_module(f"benchmarks.{path.stem}"))
    return modules


def main() -> None:
    server_url = _server_url()
    os.environ["DATABASE_URL"] = _with_database(server_url, f"{PREFIX}_1k")

    import django

    django.setup()
    modules = _modules()
    seeded = any(getattr(module, "SEEDED", True) for module in modules)
    fresh = {size: _recreate(server_url, f"{PREFIX}_{size}") for size in SIZES} if seeded else {}
    from django.core.management import call_command
    from django.db import connection

    bench = Bench(server_url)
    results: dict[str, float] = {}

    for size, packages in SIZES.items() if seeded else ():
        bench.use(size)
        if not fresh[size]:
            print(f"bench: {size}: reusing the seeded database", file=sys.stderr)
            call_command("migrate", verbosity=0)
            continue
        call_command("migrate", verbosity=0)
        call_command("seed_demo", verbosity=0)
        with connection.cursor() as cursor:
            before = _row_count(cursor)
        started = time.perf_counter()
        call_command("seed_demo", packages=packages, verbosity=0)
        elapsed = time.perf_counter() - started
        with connection.cursor() as cursor:
            added = _row_count(cursor) - before
        print(f"bench: {size}: seeded {added} rows in {elapsed:.1f}s", file=sys.stderr)
        if size == "1m":
            results["seed_rows_per_s"] = round(added / elapsed)
            results["seed_1m_seconds"] = round(elapsed, 1)
        # Settle before measuring: otherwise autovacuum works through the
        # freshly inserted millions of rows while the pages are being timed.
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")
        print(f"bench: {size}: vacuumed in {time.perf_counter() - started:.1f}s", file=sys.stderr)

    for module in modules:
        print(f"bench: {module.__name__}", file=sys.stderr)
        results.update(module.run(bench))

    output = Path(__file__).parent / "results.json"
    if ONLY and output.exists():  # a partial run updates its own keys
        results = json.loads(output.read_text()) | results
    output.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    print(json.dumps(results, indent=2, sort_keys=True))


if __name__ == "__main__":
    main()
