"""Rows into PostgreSQL with COPY (its text format): the staging tables of the imports."""

import io
from collections.abc import Iterable
from typing import Any

COPY_CHUNK = 64 * 1024 * 1024
COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_text(value: object) -> str:
    """One value as COPY text: NULL, or the text with its backslashes, tabs and line breaks escaped."""
    if value is None:
        return r"\N"
    if type(value) is not str:
        return str(value)  # numbers, booleans, times: nothing to escape
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        return value.translate(COPY_ESCAPES)
    return value


def copy_line(row: Iterable[object]) -> str:
    values = row if isinstance(row, tuple | list) else list(row)
    line = "\t".join([r"\N" if value is None else str(value) for value in values])
    # Nothing to escape (the common case): the only backslashes are the NULLs' and the only tabs the separators.
    if (
        line.count("\t") == len(values) - 1
        and line.count("\\") == values.count(None)
        and "\n" not in line
        and "\r" not in line
    ):
        return line
    return "\t".join(map(copy_text, values))


def copy_lines(cursor: Any, table: str, columns: Iterable[str], text: str) -> None:
    """Load COPY text (lines ending in newlines) into ``table``.

    Handed to psycopg2 in chunks of up to 64 MiB (a batch is a few MiB: one
    chunk): it takes the GIL back between chunks, and while the import's reader
    thread holds it each wait can last a switch interval (5 ms), which made the
    8 KiB default chunks ten times slower than the COPY itself. (PostgreSQL
    takes no message over 1 GB, whatever the batch size.)
    """
    chunk = max(min(len(text), COPY_CHUNK), 1)
    # Quoted: a column may be named as a keyword ("returning").
    names = ", ".join(f'"{column}"' for column in columns)
    cursor.copy_expert(f"COPY {table} ({names}) FROM STDIN", io.StringIO(text), chunk)


def copy_rows(cursor: Any, table: str, columns: Iterable[str], rows: Iterable[Iterable[object]]) -> None:
    """Load rows into ``table`` with one COPY (PostgreSQL's text format)."""
    copy_lines(cursor, table, columns, "".join([copy_line(row) + "\n" for row in rows]))
