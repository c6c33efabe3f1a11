"""UPU S9 receptacle (bag) and S8 dispatch identifiers, built and read as pure
functions (no database).

S9, 29 characters, ``^[A-Z]{15}[0-9]{14}$``:

====== ==============================================================
 1–6   origin office of exchange (``Office.exchange_code``)
 7–12  destination office of exchange
 13    mail category: A (priority) or C (standard)
 14–15 mail subclass: ``CN`` (parcels)
 16    last digit of the year
 17–20 dispatch serial (per origin, destination, category and year)
 21–23 receptacle serial within the dispatch (001–999)
 24    highest-receptacle indicator: 1 last bag, 0 not last, 9 unknown
 25    registered indicator: 1 when a parcel has a declared value
 26–29 gross weight in 0.1 kg (0001–9998)
====== ==============================================================

Characters 1–20 are the S8 dispatch identifier.
"""

import re
from dataclasses import dataclass
from decimal import Decimal

from shipments.exceptions import ShipmentError

S9_LENGTH = 29
S8_LENGTH = 20
SUBCLASS = "CN"
CATEGORIES = ("A", "C")
HIGHEST_UNKNOWN = "9"
MIN_WEIGHT_KG = Decimal("0.1")
MAX_WEIGHT_KG = Decimal("999.8")
_LETTERS = re.compile(r"^[A-Z]+$")
_DIGITS = re.compile(r"^[0-9]+$")


class InvalidIdentifier(ShipmentError):
    """A malformed S9 or S8 identifier; ``position`` (1-based) is the first character that is wrong."""

    code = "invalid_identifier"

    def __init__(self, message: str, *, position: int):
        # The API's one error shape for a 400 (field -> messages); every message names the position.
        super().__init__(message, details={"identifier": [message]})
        self.position = position


@dataclass(frozen=True)
class Receptacle:
    """The parts of an S9 identifier."""

    origin: str
    destination: str
    category: str
    year_digit: int
    dispatch_serial: int
    receptacle_serial: int
    highest: str
    registered: bool
    weight_tenths: int
    subclass: str = SUBCLASS

    @property
    def dispatch_identifier(self) -> str:
        return s8(
            origin=self.origin,
            destination=self.destination,
            category=self.category,
            year_digit=self.year_digit,
            dispatch_serial=self.dispatch_serial,
        )

    @property
    def identifier(self) -> str:
        return (
            f"{self.dispatch_identifier}{self.receptacle_serial:03d}{self.highest}"
            f"{1 if self.registered else 0}{self.weight_tenths:04d}"
        )

    @property
    def weight_kg(self) -> Decimal:
        return Decimal(self.weight_tenths) / 10


def weight_tenths(weight_kg: Decimal) -> int:
    """The S9 weight field (0.1 kg units) of a gross weight in kg (0.1–999.8, one decimal)."""
    if not MIN_WEIGHT_KG <= weight_kg <= MAX_WEIGHT_KG or weight_kg != weight_kg.quantize(Decimal("0.1")):
        raise ValueError(f"A bag weighs 0.1–999.8 kg with one decimal, not {weight_kg}.")
    return int(weight_kg * 10)


def s8(*, origin: str, destination: str, category: str, year_digit: int, dispatch_serial: int) -> str:
    """The S8 dispatch identifier (20 characters)."""
    if not 1 <= dispatch_serial <= 9999:
        raise ValueError("A dispatch serial is 0001–9999.")
    return f"{origin}{destination}{category}{SUBCLASS}{year_digit % 10}{dispatch_serial:04d}"


def s9(
    *,
    origin: str,
    destination: str,
    category: str,
    year_digit: int,
    dispatch_serial: int,
    receptacle_serial: int,
    registered: bool,
    weight_kg: Decimal,
    highest: str = HIGHEST_UNKNOWN,
) -> str:
    """The S9 identifier of a bag at closing; checked by reading it back, so a
    bad part (an office without a six-letter exchange code) is refused here."""
    if not 1 <= receptacle_serial <= 999:
        raise ValueError("A receptacle serial is 001–999.")
    identifier = (
        s8(
            origin=origin,
            destination=destination,
            category=category,
            year_digit=year_digit,
            dispatch_serial=dispatch_serial,
        )
        + f"{receptacle_serial:03d}{highest}{1 if registered else 0}{weight_tenths(weight_kg):04d}"
    )
    parse_s9(identifier)
    return identifier


def clean_identifier(text: str) -> str:
    """What a scanner or a clerk typed, without spaces and dashes, upper-cased (labels print groups)."""
    return re.sub(r"[\s-]", "", text).upper()


def _check_s8_part(identifier: str) -> None:
    """Characters 1–20 (shared by S8 and S9): the first wrong position is refused."""
    for start, end, label in ((0, 6, "the origin office of exchange"), (6, 12, "the destination office of exchange")):
        for index in range(start, min(end, len(identifier))):
            if not _LETTERS.match(identifier[index]):
                raise InvalidIdentifier(
                    f"Position {index + 1} must be a capital letter ({label}, positions {start + 1}–{end}).",
                    position=index + 1,
                )
    if len(identifier) > 12 and identifier[12] not in CATEGORIES:
        raise InvalidIdentifier("Position 13 must be the mail category, A or C.", position=13)
    for index in (13, 14):
        if len(identifier) > index and identifier[index] != SUBCLASS[index - 13]:
            raise InvalidIdentifier(
                f"Positions 14–15 must be the mail subclass {SUBCLASS} (parcels); position {index + 1} is not.",
                position=index + 1,
            )
    for index in range(15, min(20, len(identifier))):
        if not _DIGITS.match(identifier[index]):
            label = "the last digit of the year" if index == 15 else "the dispatch serial, positions 17–20"
            raise InvalidIdentifier(f"Position {index + 1} must be a digit ({label}).", position=index + 1)
    if len(identifier) >= 20 and identifier[16:20] == "0000":
        raise InvalidIdentifier("Positions 17–20 (the dispatch serial) start at 0001.", position=20)


def parse_s8(text: str) -> str:
    """The S8 dispatch identifier, cleaned, or ``InvalidIdentifier`` naming the wrong position."""
    identifier = clean_identifier(text)
    _check_s8_part(identifier)
    if len(identifier) != S8_LENGTH:
        raise InvalidIdentifier(
            f"A dispatch identifier (S8) has {S8_LENGTH} characters, not {len(identifier)}.",
            position=min(len(identifier), S8_LENGTH) + 1,
        )
    return identifier


def parse_s9(text: str) -> Receptacle:
    """The parts of an S9 identifier, or ``InvalidIdentifier`` naming the first wrong position."""
    identifier = clean_identifier(text)
    _check_s8_part(identifier)
    for index in range(20, min(S9_LENGTH, len(identifier))):
        if not _DIGITS.match(identifier[index]):
            raise InvalidIdentifier(f"Position {index + 1} must be a digit.", position=index + 1)
    if len(identifier) != S9_LENGTH:
        raise InvalidIdentifier(
            f"A bag identifier (S9) has {S9_LENGTH} characters, not {len(identifier)}.",
            position=min(len(identifier) + 1, S9_LENGTH + 1),
        )
    if identifier[20:23] == "000":
        raise InvalidIdentifier("Positions 21–23 (the receptacle serial) start at 001.", position=23)
    if identifier[23] not in "019":
        raise InvalidIdentifier(
            "Position 24 (highest receptacle) must be 1 (last bag), 0 (not last) or 9 (unknown).", position=24
        )
    if identifier[24] not in "01":
        raise InvalidIdentifier("Position 25 (registered) must be 0 or 1.", position=25)
    tenths = int(identifier[25:29])
    if not 1 <= tenths <= 9998:
        raise InvalidIdentifier("Positions 26–29 (weight in 0.1 kg) must be 0001–9998.", position=29)
    return Receptacle(
        origin=identifier[0:6],
        destination=identifier[6:12],
        category=identifier[12],
        year_digit=int(identifier[15]),
        dispatch_serial=int(identifier[16:20]),
        receptacle_serial=int(identifier[20:23]),
        highest=identifier[23],
        registered=identifier[24] == "1",
        weight_tenths=tenths,
    )


def groups(identifier: str) -> list[str]:
    """The S9 identifier in the groups printed under its barcode: offices, category and
    subclass, year and dispatch serial, receptacle serial, indicators, weight."""
    return [
        identifier[0:6],
        identifier[6:12],
        identifier[12:15],
        identifier[15:20],
        identifier[20:23],
        identifier[23:25],
        identifier[25:29],
    ]
