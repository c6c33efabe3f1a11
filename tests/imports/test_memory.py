"""A crafted file cannot exhaust the worker (issue 20, point 5): lines are read
a capped piece at a time (``imports.sources.MAX_LINE_BYTES``), so the peak
memory of the command stays flat whatever one line holds. Each shape runs the
real command in a process of its own and reads its peak resident memory.

The shapes are the probe's, scaled to 200 MB where they were larger (the cap
makes the behaviour the same; reading the line whole would still take 200 MB
or more above the bound); the files are written streaming and gzip-compressed,
so the test's own files stay a few hundred KB."""

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.management import call_command
from django.db import connection

from tests.helpers import IMPORT_DATA, package_rows

ROOT = Path(__file__).resolve().parents[2]
# What the command itself takes with the small file (about 80 MB: Python, Django, psycopg2),
# with room to spare; reading any of the lines below whole would add 200 MB or more.
PEAK_RSS_BOUND_MB = 150
BIG = 200 * 2**20
CHUNK = 2**20
# manage.py, reporting its peak resident memory (VmHWM, kB) at exit. Not the
# exit's rusage: a child's ru_maxrss keeps the forking test process's size from
# before its exec, larger than the bound under xdist.
MEASURED = """
import atexit, runpy, sys

def report(path=sys.argv[1]):
    with open("/proc/self/status") as status:
        peak = next(line.split()[1] for line in status if line.startswith("VmHWM:"))
    with open(path, "w") as file:
        file.write(peak)

atexit.register(report)
sys.argv = sys.argv[2:]
runpy.run_path("manage.py", run_name="__main__")
"""


@pytest.fixture
def run_measured(transactional_db, tmp_path):
    """Run a management command in a process of its own against the test
    database (its rows committed: a transactional test); (exit status,
    output, peak resident memory in MiB)."""
    settings = connection.settings_dict
    credentials = quote(settings["USER"], safe="") + (
        f":{quote(settings['PASSWORD'], safe='')}" if settings["PASSWORD"] else ""
    )
    url = f"postgres://{credentials}@{settings['HOST']}:{settings['PORT'] or 5432}/{settings['NAME']}"
    if not settings["HOST"] and settings["OPTIONS"].get("host"):
        # The embedded PostgreSQL is reached through a socket folder (OPTIONS), as its own URL says it.
        url = f"postgres://{credentials}@/{settings['NAME']}?host={quote(settings['OPTIONS']['host'], safe='')}"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "DATABASE_URL": url}

    def run(*args: str) -> tuple[int, str, float]:
        output, peak = tmp_path / "output.txt", tmp_path / "peak.txt"
        with output.open("wb") as sink:
            result = subprocess.run(
                [sys.executable, "-c", MEASURED, str(peak), "manage.py", *args],
                cwd=ROOT,
                env=env,
                stdout=sink,
                stderr=subprocess.STDOUT,
                timeout=120,
            )
        return result.returncode, output.read_text(), int(peak.read_text()) / 1024

    return run


@pytest.fixture
def offices_and_tariffs(transactional_db, tariffs):
    call_command("import_offices", str(IMPORT_DATA / "offices.csv"), stdout=open(os.devnull, "w"))  # noqa: SIM115


def _csv_header_and_start(row: dict[str, str]) -> tuple[bytes, bytes]:
    """The package file's header line, and the start of a row whose last value follows."""
    names = list(row)
    header = ",".join(names).encode() + b"\n"
    start = ",".join(row[name] for name in names[:-1]).encode() + b","
    return header, start


def test_a_gzip_holding_one_huge_field_stops_the_file_with_flat_memory(run_measured, tmp_path):
    header, start = _csv_header_and_start(package_rows()[0])
    source = tmp_path / "bomb.csv.gz"
    with gzip.open(source, "wb", compresslevel=1) as file:
        file.write(header + start)
        for _ in range(BIG // CHUNK):
            file.write(b"x" * CHUNK)
        file.write(b"\n")
    assert source.stat().st_size < 2 * 2**20
    status, output, peak = run_measured("import_packages", str(source))
    assert peak < PEAK_RSS_BOUND_MB, f"peak {peak:.0f} MiB"
    assert status == 2, output
    assert "bomb.csv.gz, line 2: a record longer than 1 MiB" in output


def test_a_huge_jsonl_line_is_a_rejected_row_with_flat_memory(run_measured, offices_and_tariffs, tmp_path):
    rows = package_rows()
    source = tmp_path / "bomb.jsonl.gz"
    with gzip.open(source, "wb", compresslevel=1) as file:
        file.write(json.dumps(rows[2]).encode() + b"\n")
        file.write(b'{"sender_name": "')
        for _ in range(BIG // CHUNK):
            file.write(b"x" * CHUNK)
        file.write(b'"}\n')
        file.write(json.dumps(rows[3]).encode() + b"\n")
    errors = tmp_path / "errors.csv"
    status, output, peak = run_measured("import_packages", str(source), "--errors", str(errors))
    assert peak < PEAK_RSS_BOUND_MB, f"peak {peak:.0f} MiB"
    assert status == 1, output
    assert "created 2, updated 0, unchanged 0, rejected 1" in output
    assert errors.read_text().splitlines()[1:] == ["2,line,longer than 1 MiB (no row of an import is nearly that long)"]


def test_fifty_million_empty_columns_stop_the_file_with_flat_memory(run_measured, tmp_path):
    header, _ = _csv_header_and_start(package_rows()[0])
    source = tmp_path / "columns.csv.gz"
    with gzip.open(source, "wb", compresslevel=1) as file:
        file.write(header)
        for _ in range(50):
            file.write(b"," * 10**6)  # 5 x 10**7 empty columns on one line
        file.write(b"\n")
    status, output, peak = run_measured("import_packages", str(source))
    assert peak < PEAK_RSS_BOUND_MB, f"peak {peak:.0f} MiB"
    assert status == 2, output
    assert "columns.csv.gz, line 2: a record longer than 1 MiB" in output
