"""Recording events without notifying anyone, in this thread: history that is
not news (the demo's packages, a benchmark's set-up). The outbox's receivers
and the set-based paths ask ``is_muted`` before they write outbox rows."""

import threading
from collections.abc import Iterator
from contextlib import contextmanager

_muting = threading.local()


@contextmanager
def muted() -> Iterator[None]:
    """Record events without notifying anyone, in this thread: history that is
    not news (the demo seed's packages, made through the services)."""
    before = getattr(_muting, "on", False)
    _muting.on = True
    try:
        yield
    finally:
        _muting.on = before


def is_muted() -> bool:
    return bool(getattr(_muting, "on", False))
