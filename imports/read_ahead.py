"""A generator's items produced by a thread of their own, one step ahead of
the consumer: the import reads and checks its next batch (Python) while the
writing thread waits for PostgreSQL (psycopg2 lets go of the GIL meanwhile).
"""

import queue
import threading
from collections.abc import Generator, Iterator
from typing import Any

_END = object()


def read_ahead(items: Iterator[Any], depth: int = 1) -> Generator[Any]:
    """``items``, produced by a thread up to ``depth`` ahead of the consumer.

    The reader thread reads the file and checks the next batch (Python) while
    the caller's thread waits for PostgreSQL to write the current one. It
    touches no database; what it raises is raised here. Leaving the loop early
    (a time limit, an error) stops the thread before the caller closes the file.
    """
    handoff: queue.Queue[tuple[bool, Any]] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item: tuple[bool, Any]) -> bool:
        while not stop.is_set():
            try:
                handoff.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not put((True, item)):
                    return
        except BaseException as error:  # noqa: BLE001 (handed to the consumer, which raises it)
            put((False, error))
        else:
            put((True, _END))
        finally:
            # Stopped early or not: the generators behind ``items`` let go of their files now.
            close = getattr(items, "close", None)
            if close is not None:
                close()

    thread = threading.Thread(target=produce, name="import-reader", daemon=True)
    thread.start()
    try:
        while True:
            ok, item = handoff.get()
            if not ok:
                raise item
            if item is _END:
                return
            yield item
    finally:
        stop.set()
        thread.join()
