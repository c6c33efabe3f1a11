"""sorted_rows: a file's rows by key then line, the same whether they fit in
memory or are spilled to disk in runs and merged."""

import pytest

from imports.sorting import sorted_rows


def _rows():
    # (line, row): keys out of order, ties, values a JSON line must carry intact.
    values = ["b", "a", "c", "a", "b", "a\nline break", "ünïcode\u2028separator", "a"]
    return [(number, {"k": value[0], "v": f"{value} {number}"}) for number, value in enumerate(values, start=2)]


@pytest.mark.parametrize("run_rows", [100, 3, 1], ids=["in memory", "three runs", "a run a row"])
def test_rows_come_by_key_then_line(run_rows):
    rows = _rows()
    ordered = list(sorted_rows(iter(rows), lambda row: (row["k"],), run_rows=run_rows))
    assert ordered == sorted(rows, key=lambda item: (item[1]["k"], item[0]))
    assert [number for number, _ in ordered] == [3, 5, 7, 9, 2, 6, 4, 8]


def test_an_error_while_reading_comes_through_before_any_row():
    def broken():
        yield 2, {"k": "b"}
        raise ValueError("bad UTF-8 on line 3")

    with pytest.raises(ValueError, match="line 3"):
        next(sorted_rows(broken(), lambda row: (row["k"],), run_rows=1))
