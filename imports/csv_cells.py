"""Cells of the CSV files we write that a spreadsheet must not run as formulas
(CSV or formula injection, https://owasp.org/www-community/attacks/CSV_Injection).

A text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
is written with a single quote in front (OWASP's advice: the spreadsheet then
shows it as text). Numbers are not text: a numeric cell we produce (a refund
of -12.50 in a report, a weight) and a text that is a plain number (an E.164
phone, +12125550142) are written as they are, so money columns stay numbers a
spreadsheet can add up; neither can hold a formula. A text that already starts
with quotes before such a character gets one more, so ``restore`` (run by the
imports on every CSV cell they read) gives back exactly what was exported:
an export re-imports unchanged.

Every CSV writer goes through here: ``writer`` (the cost reports, the import
errors files) and ``neutralised_sql`` (export_packages' ``COPY``).
"""

import csv
import re
from collections.abc import Iterable
from typing import Any

# What a spreadsheet reads as the start of a formula (OWASP's list).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NEEDS_QUOTE = re.compile(r"'*[=+\-@\t\r]")
_NEUTRALISED = re.compile(r"''*[=+\-@\t\r]")
_PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?")
# The same tests in PostgreSQL's regular expressions (E'' strings hold the tab and the return).
_SQL_NEEDS_QUOTE = r"'^''*[-=+@\t\r]'"
_SQL_PLAIN_NUMBER = r"'^[-+]?[0-9]+(\.[0-9]+)?$'"
# The code points a cell needing a quote can start with (a quote included: ''=x), for a cheap first test.
_FIRST_CODES = ", ".join(str(ord(character)) for character in (*FORMULA_START, "'"))


def neutralise(value: Any) -> Any:
    """A text cell as it is safe to write; anything else (numbers, dates) unchanged."""
    if isinstance(value, str) and _NEEDS_QUOTE.match(value) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def restore(text: str) -> str:
    """A cell read from a CSV file without the quote ``neutralise`` put in front."""
    if text[:1] == "'" and _NEUTRALISED.match(text):
        return text[1:]
    return text


class _NeutralisingWriter:
    """csv.writer whose rows go through ``neutralise``."""

    def __init__(self, out: Any, **options: Any):
        self._writer = csv.writer(out, **options)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([neutralise(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def writer(out: Any, **options: Any) -> _NeutralisingWriter:
    """``csv.writer(out)`` for files people open in spreadsheets."""
    return _NeutralisingWriter(out, **options)


def neutralised_sql(expression: str) -> str:
    """A text column of a ``COPY ... TO`` as ``neutralise`` would write it. The
    first-character test keeps the regular expressions off almost every value."""
    return (
        f"CASE WHEN ascii({expression}) IN ({_FIRST_CODES})"
        f" AND {expression} ~ E{_SQL_NEEDS_QUOTE} AND {expression} !~ {_SQL_PLAIN_NUMBER}"
        f" THEN '''' || {expression} ELSE {expression} END"
    )
