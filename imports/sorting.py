"""A file's rows in another order than the file's, with flat memory: sorted
runs of ``RUN_ROWS`` rows spilled to anonymous temporary files (JSON lines),
then merged (``heapq.merge``). A file of one run never touches the disk.

The order is stable (equal keys keep the file's order) and the same every
time the same file is read, so a resumed run skips exactly the rows an
earlier run of it committed. Reading the whole file first also means a
broken one (bad UTF-8 far into it) stops the run before anything is written.
"""

import heapq
import json
import tempfile
from collections.abc import Callable, Iterator
from typing import IO

Row = tuple[int, dict[str, str]]
SortKey = Callable[[dict[str, str]], tuple[str, ...]]

# About 50 MB of rows in memory at a time (a row of seven columns is about half a kilobyte as a dict).
RUN_ROWS = 100_000


def sorted_rows(rows: Iterator[Row], key: SortKey, run_rows: int = RUN_ROWS) -> Iterator[Row]:
    """``rows`` ordered by ``key(row)`` and then by line number."""
    spilled: list[IO[str]] = []
    run: list[tuple[tuple[str, ...], int, dict[str, str]]] = []
    try:
        for number, row in rows:
            run.append((key(row), number, row))
            if len(run) >= run_rows:
                spilled.append(_spill(run))
                run = []
        run.sort(key=_order)
        if not spilled:
            for _key, number, row in run:
                yield number, row
            return
        runs = [_read(file) for file in spilled]
        for _key, number, row in heapq.merge(*runs, iter(run), key=_order):
            yield number, row
    finally:
        for file in spilled:
            file.close()


def _order(item: tuple[tuple[str, ...], int, dict[str, str]]) -> tuple[tuple[str, ...], int]:
    return item[0], item[1]


def _spill(run: list[tuple[tuple[str, ...], int, dict[str, str]]]) -> IO[str]:
    run.sort(key=_order)
    file = tempfile.TemporaryFile("w+", encoding="utf-8", newline="\n")  # noqa: SIM115 (closed by sorted_rows)
    file.writelines(json.dumps([list(key), number, row], ensure_ascii=False) + "\n" for key, number, row in run)
    file.seek(0)
    return file


def _read(file: IO[str]) -> Iterator[tuple[tuple[str, ...], int, dict[str, str]]]:
    for line in file:
        key, number, row = json.loads(line)
        yield tuple(key), number, row
