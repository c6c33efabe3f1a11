"""Tracking numbers in the UPU S10 format, e.g. ``EE473124829US``.

Two service letters, an 8-digit serial, a check digit and the two-letter
country. ``normalize_tracking_number`` is the one place where user input is
cleaned and checked; everything that accepts a tracking number calls it.

The S10 check digit maps both "remainder 0" and "remainder 6" to the digit 5,
so a one-digit typo that moves a serial between those remainders would go
unnoticed. We never issue serials with those remainders: for every number we
issue, every single-digit typo in the serial fails the check.

Serials are not the sequence's values themselves: consecutive serials would let
anyone who holds one number find the parcels registered next to it.
``issued_tracking_number`` draws the serial of a sequence position through a
keyed permutation of the 8-digit serial space (``permuted_serial``, a Feistel
network keyed by settings.TRACKING_NUMBER_KEY): distinct positions give
distinct serials, and without the key the neighbours of a valid number are no
better a guess than any other number.
"""

import hashlib
import math
import re
from functools import lru_cache

from .exceptions import InvalidTrackingNumber

WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)
SERIAL_LIMIT = 10**8
_S10 = re.compile(r"^[A-Z]{2}\d{9}[A-Z]{2}$")
_AMBIGUOUS_REMAINDERS = (0, 6)


def _remainder(serial: str) -> int:
    return sum(int(digit) * weight for digit, weight in zip(serial, WEIGHTS, strict=True)) % 11


def _check_digit_for(remainder: int) -> int:
    check = 11 - remainder
    return {10: 0, 11: 5}.get(check, check)


def check_digit(serial: str) -> int:
    return _check_digit_for(_remainder(serial))


def is_issuable_serial(number: int) -> bool:
    """False for serials whose check digit could hide a one-digit typo (see module doc)."""
    return _remainder(f"{number:08d}") not in _AMBIGUOUS_REMAINDERS


def make_tracking_number(service_indicator: str, serial: int, country: str) -> str:
    serial_text = f"{serial % SERIAL_LIMIT:08d}"
    return f"{service_indicator}{serial_text}{check_digit(serial_text)}{country}"


def issuable_tracking_number(service_indicator: str, serial: int, country: str) -> str | None:
    """``make_tracking_number``, or None for a serial we never issue: one
    check-digit computation where ``is_issuable_serial`` then
    ``make_tracking_number`` take two (a million-row generator notices)."""
    serial_text = f"{serial % SERIAL_LIMIT:08d}"
    remainder = _remainder(serial_text)
    if remainder in _AMBIGUOUS_REMAINDERS:
        return None
    return f"{service_indicator}{serial_text}{_check_digit_for(remainder)}{country}"


# The serial space as two halves of 4 digits (10**4 * 10**4 == SERIAL_LIMIT): a
# balanced Feistel network over them is a permutation of the whole space, with
# no cycle-walking. Eight rounds: the halves are small.
_HALF = 10**4
_ROUNDS = 8
# Sequence positions start here (shipments_tracking_serial's START): before the
# permutation, the serials from here up were issued as they came.
FIRST_POSITION = 10**7


@lru_cache(maxsize=4)
def _round_tables(key: str) -> tuple[tuple[int, ...], ...]:
    """Each round's function of the right half, as a table of all 10**4 values:
    a keyed SHAKE-256 stream per round, computed once per key and process."""
    tables = []
    for round_number in range(_ROUNDS):
        stream = hashlib.shake_256(b"%s\x00tracking-serial-round-%d" % (key.encode(), round_number)).digest(4 * _HALF)
        tables.append(tuple(int.from_bytes(stream[i : i + 4]) % _HALF for i in range(0, len(stream), 4)))
    return tuple(tables)


def permuted_serial(position: int, key: str) -> int:
    """The serial of sequence ``position``: a keyed permutation of 0..10**8-1
    (distinct positions, distinct serials; neighbours land far apart)."""
    tables = _round_tables(key)
    left, right = divmod(position % SERIAL_LIMIT, _HALF)
    for table in tables:
        left, right = right, (left + table[right]) % _HALF
    return left * _HALF + right


# Of permuted serials, those whose check digit cannot hide a typo: 9 in 11, at random.
ISSUABLE_SHARE = 9 / 11


def positions_to_draw(count: int, *, plain_below: int = FIRST_POSITION) -> int:
    """How many sequence positions to draw for ``count`` tracking numbers so
    that one draw nearly always suffices: the expected share of issuable serials
    (less the plain range, see ``issued_tracking_number``) plus five standard
    deviations. A caller still asks again when it falls short."""
    share = ISSUABLE_SHARE * (1 - max(plain_below - FIRST_POSITION, 0) / SERIAL_LIMIT)
    spread = math.sqrt(share * (1 - share)) / share
    return int(count / share + 5 * spread * math.sqrt(count)) + 1


def issued_tracking_number(
    service_indicator: str, position: int, country: str, *, key: str, plain_below: int
) -> str | None:
    """The tracking number for sequence ``position``, or None when its serial is
    never issued: a serial whose check digit could hide a typo, or one in
    ``FIRST_POSITION <= serial < plain_below``, which were issued unpermuted
    (as the sequence's values) before the permutation and so may be taken.

    The one way serials are drawn: the services and the bulk generator call it.
    """
    serial = permuted_serial(position, key)
    if FIRST_POSITION <= serial < plain_below:
        return None
    return issuable_tracking_number(service_indicator, serial, country)


def clean_tracking_number(raw: str) -> str:
    """Upper-cased, without spaces and dashes; not checked (see normalize_tracking_number)."""
    return raw if type(raw) is str and _S10.fullmatch(raw) else re.sub(r"[\s\-]", "", str(raw or "")).upper()


def normalize_tracking_number(raw: str) -> str:
    """Upper-case, strip spaces and dashes, and check format and check digit.

    Raises InvalidTrackingNumber with a message a clerk or customer can act on.
    """
    cleaned = clean_tracking_number(raw)
    if not cleaned:
        raise InvalidTrackingNumber("Enter a tracking number.")
    if not _S10.match(cleaned):
        raise InvalidTrackingNumber(
            f"“{cleaned[:20]}” is not a tracking number: expected 2 letters, 9 digits and 2 letters, "
            "e.g. EE473124829US."
        )
    serial, check = cleaned[2:10], int(cleaned[10])
    if check_digit(serial) != check:
        raise InvalidTrackingNumber(f"{cleaned} has a wrong check digit: please check the number for a typo.")
    return cleaned


def check_digit_problem(raw: str) -> str | None:
    """The clerk's message when ``raw`` is shaped like a tracking number but its
    check digit is wrong (a typo), else None: a search box says so rather than
    showing nothing."""
    cleaned = re.sub(r"[\s\-]", "", str(raw or "")).upper()
    if not _S10.match(cleaned) or check_digit(cleaned[2:10]) == int(cleaned[10]):
        return None
    return f"{cleaned} has a wrong check digit: please check the number for a typo."
