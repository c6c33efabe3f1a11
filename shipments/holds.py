"""What holds a parcel so that it cannot move on its own: today, a bag that is
not received yet (the ``dispatches`` app registers its lookup when it starts).

Kept as a registry so that shipments imports nothing of the apps built on it;
the rule that refuses a held parcel is ``step_rules.hold_problems``.
"""

from collections.abc import Callable, Iterable

# package ids -> {package id: what holds it, e.g. "bag USNYCAUSBOSACCN60001001901 0124"}
HoldLookup = Callable[[Iterable[int]], dict[int, str]]
_lookups: list[HoldLookup] = []


def register(lookup: HoldLookup) -> None:
    if lookup not in _lookups:
        _lookups.append(lookup)


def holds_of(package_ids: Iterable[int]) -> dict[int, str]:
    """What holds each of these packages, for those held (one query per registered lookup)."""
    ids = list(package_ids)
    held: dict[int, str] = {}
    if not ids:
        return held
    for lookup in _lookups:
        held.update(lookup(ids))
    return held
