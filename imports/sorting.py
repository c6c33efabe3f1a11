"""A file's rows in another order than the file's, with flat memory: sorted
runs of ``RUN_ROWS`` rows (or ``RUN_BYTES`` of values, whichever comes first)
spilled to anonymous temporary files (pickled and compressed in blocks of
``BLOCK_ROWS``: about 20 bytes a scan event on disk), then merged
(``heapq.merge``), a block of each run in memory at a time. A file of one run
never touches the disk.

The order is stable (equal keys keep the file's order) and the same every
time the same file is read, so a resumed run skips exactly the rows an
earlier run of it committed. Reading the whole file first also means a
broken one (bad UTF-8 far into it) stops the run before anything is written.
"""

import heapq
import pickle
import tempfile
import zlib
from collections.abc import Callable, Iterator
from typing import IO, Any

Row = tuple[int, dict[str, str]]
SortKey = Callable[[dict[str, str]], tuple[Any, ...]]
Item = tuple[tuple[Any, ...], int, dict[str, str]]

# About 50 MB of rows in memory at a time (a row of seven columns is about half a kilobyte as a dict).
RUN_ROWS = 100_000
RUN_BYTES = 32 * 1024 * 1024  # of values: a file of long fields spills sooner
BLOCK_ROWS = 1_000


def sorted_rows(rows: Iterator[Row], key: SortKey, run_rows: int = RUN_ROWS) -> Iterator[Row]:
    """``rows`` ordered by ``key(row)`` and then by line number."""
    spilled: list[IO[bytes]] = []
    run: list[Item] = []
    size = 0
    try:
        for number, row in rows:
            run.append((key(row), number, row))
            size += sum(map(len, row.values()))
            if len(run) >= run_rows or size >= RUN_BYTES:
                spilled.append(_spill(run))
                run, size = [], 0
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


def _order(item: Item) -> tuple[tuple[Any, ...], int]:
    return item[0], item[1]


def _spill(run: list[Item]) -> IO[bytes]:
    run.sort(key=_order)
    file = tempfile.TemporaryFile()  # noqa: SIM115 (closed by sorted_rows)
    for start in range(0, len(run), BLOCK_ROWS):
        block = zlib.compress(pickle.dumps(run[start : start + BLOCK_ROWS], protocol=pickle.HIGHEST_PROTOCOL), 1)
        file.write(len(block).to_bytes(4, "big"))
        file.write(block)
    file.seek(0)
    return file


def _read(file: IO[bytes]) -> Iterator[Item]:
    while length := int.from_bytes(file.read(4), "big"):
        # Our own anonymous file, written above by this process: nobody else can reach it.
        yield from pickle.loads(zlib.decompress(file.read(length)))  # noqa: S301
