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


def test_a_sorted_copy_on_s3_gives_the_rows_after_those_done_without_reading_the_file_again(s3, monkeypatch):
    from imports import sorted_copy

    monkeypatch.setattr(sorted_copy, "BLOCK_ROWS", 3)
    url = f"s3://{s3.bucket}/import-sorted/x.csv.etag-1.sorted"
    rows = _rows()
    ordered = sorted(rows, key=lambda item: (item[1]["k"], item[0]))

    def key(row):
        return (row["k"],)

    assert list(sorted_copy.rows_through_sorted_copy(url, iter(rows), key, 0)) == ordered

    def never_read():
        raise AssertionError("the file was read again")
        yield

    for skip in (1, 3, 4, 7, 8):
        assert list(sorted_copy.rows_through_sorted_copy(url, never_read(), key, skip)) == ordered[skip:]
