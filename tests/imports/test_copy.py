"""copy_rows: what goes into a staging table comes back as it was, whatever it holds."""

from contextlib import nullcontext
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from imports.copy import copy_rows

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("debug_cursor", [False, True], ids=["cursor", "debug cursor"])
def test_copy_rows_loads_every_value_as_it_was(debug_cursor):
    rows = [
        (1, "plain", None, True, Decimal("12.50"), datetime(2026, 3, 1, 9, 30, tzinfo=UTC)),
        (2, "a\ttab", "a\nline break", False, Decimal("0"), None),
        (3, "back\\slash", "\\N", None, None, None),  # a literal \N is text, not NULL
        (4, "carriage\rreturn", "", True, Decimal("1E+1"), None),
    ]
    # With DEBUG (manage.py on a laptop) Django's cursor is CursorDebugWrapper, whose
    # copy_expert takes its extra arguments by position only.
    with CaptureQueriesContext(connection) if debug_cursor else nullcontext(), connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE copy_check (n int, a text, b text, flag boolean, amount numeric, at timestamptz)"
        )
        copy_rows(cursor, "copy_check", ("n", "a", "b", "flag", "amount", "at"), (list(row) for row in rows))
        cursor.execute("SELECT n, a, b, flag, amount, at FROM copy_check ORDER BY n")
        assert cursor.fetchall() == rows


def test_text_longer_than_a_chunk_arrives_whole(monkeypatch):
    import imports.copy

    monkeypatch.setattr(imports.copy, "COPY_CHUNK", 7)  # lines cut across chunks
    rows = [(n, f"row {n} ünïcode", None, n % 2 == 0, Decimal(n), None) for n in range(50)]
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE copy_check (n int, a text, b text, flag boolean, amount numeric, at timestamptz)"
        )
        copy_rows(cursor, "copy_check", ("n", "a", "b", "flag", "amount", "at"), rows)
        cursor.execute("SELECT n, a, b, flag, amount, at FROM copy_check ORDER BY n")
        assert cursor.fetchall() == rows
