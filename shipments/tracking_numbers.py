"""Tracking numbers in the UPU S10 format, e.g. ``EE473124829US``.

Two service letters, an 8-digit serial, a check digit and the two-letter
country. ``normalize_tracking_number`` is the one place where user input is
cleaned and checked; everything that accepts a tracking number calls it.

The S10 check digit maps both "remainder 0" and "remainder 6" to the digit 5,
so a one-digit typo that moves a serial between those remainders would go
unnoticed. We never issue serials with those remainders: for every number we
issue, every single-digit typo in the serial fails the check.
"""

import re

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


def normalize_tracking_number(raw: str) -> str:
    """Upper-case, strip spaces and dashes, and check format and check digit.

    Raises InvalidTrackingNumber with a message a clerk or customer can act on.
    """
    cleaned = re.sub(r"[\s\-]", "", str(raw or "")).upper()
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
