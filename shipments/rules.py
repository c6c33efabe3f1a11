"""The network's rules over plain values: each returns every problem it finds
(field and message) and touches no database.

The counter form, the API (through the services), the services themselves and
the bulk imports call these same functions, so a rule is written once. A
service turns the problems into one ``ShipmentError`` with ``refuse``.
"""

import functools
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from typing import Any, NamedTuple

from imports.csv_cells import FORMULA_START

from .exceptions import ShipmentError
from .values import Party

MAX_WEIGHT_GRAMS = 70_000  # heavier is freight
MAX_SIDE_CM = 300
# What a money column holds (shipments.models.MONEY: 12 digits, 2 of them decimals).
MAX_DECLARED_VALUE = Decimal("9999999999.99")
CENT = Decimal("0.01")


class Problem(NamedTuple):
    """One thing wrong with one field."""

    field: str
    message: str
    # A whole sentence for the clerk when this problem is the only one shown.
    sentence: str = ""
    code: str = "invalid"


def refuse(problems: list[Problem], summary: str = "", error: type[ShipmentError] = ShipmentError) -> None:
    """Raise one error carrying every problem (the first one's code), or do nothing."""
    if not problems:
        return
    first = problems[0]
    message = summary if summary and len(problems) > 1 else (first.sentence or summary or first.message)
    details: dict[str, Any] = {}
    for problem in problems:
        details.setdefault(problem.field, problem.message)
    raise error(message, code=first.code, details=details)


# --- the parcel --------------------------------------------------------------------


def _whole_positive(value: object) -> bool:
    return type(value) is int and value > 0


def parcel_problems(
    *, weight_grams: object, length_cm: object, width_cm: object, height_cm: object, declared_value: object
) -> list[Problem]:
    """Weight and sides are whole positive numbers within what a counter takes;
    the declared value is an amount of zero or more, in cents, that a money column holds."""
    problems = []
    if not _whole_positive(weight_grams):
        problems.append(Problem("weight_grams", "Must be a whole number greater than zero."))
    elif weight_grams > MAX_WEIGHT_GRAMS:  # type: ignore[operator]
        problems.append(Problem("weight_grams", "Parcels over 70 kg are freight; we cannot take them at the counter."))
    for field, value in (("length_cm", length_cm), ("width_cm", width_cm), ("height_cm", height_cm)):
        if not _whole_positive(value):
            problems.append(Problem(field, "Must be a whole number greater than zero."))
        elif value > MAX_SIDE_CM:  # type: ignore[operator]
            problems.append(Problem(field, f"No side may be longer than {MAX_SIDE_CM} cm."))
    if type(declared_value) is int:
        declared_value = Decimal(declared_value)
    if not isinstance(declared_value, Decimal) or not declared_value.is_finite() or declared_value < 0:
        problems.append(Problem("declared_value", "Must be an amount of zero or more."))
    elif declared_value > MAX_DECLARED_VALUE:
        problems.append(Problem("declared_value", f"Must be at most {MAX_DECLARED_VALUE:,}."))
    elif declared_value != declared_value.quantize(CENT):
        problems.append(Problem("declared_value", "Use at most two decimal places."))
    return problems


# --- tracking numbers --------------------------------------------------------------------


def imported_number_problems(tracking_number: str, *, our_country: str) -> list[Problem]:
    """A new parcel's number from outside (an import) is a partner's: one with
    our own country code is ours to issue (``shipments.tracking_numbers``: the
    sequence and its permutation draw them), and one we did not issue would
    sooner or later be drawn for a parcel at the counter."""
    if tracking_number.endswith(our_country):
        return [
            Problem(
                "tracking_number",
                f"{tracking_number} has our own country code {our_country}: we issue those numbers ourselves "
                "and did not issue this one. Leave tracking_number empty to have one drawn.",
            )
        ]
    return []


# --- what a column holds -----------------------------------------------------------------


def column_limits(model: Any, names: Iterable[str]) -> dict[str, int]:
    """The ``max_length`` of these fields of ``model``, read from the model so a
    rule's limit cannot drift from the column's."""
    return {name: int(model._meta.get_field(name).max_length) for name in names}


def length_problems(values: Mapping[str, str], limits: Mapping[str, int]) -> list[Problem]:
    """Every value no longer than its column holds (PostgreSQL refuses a longer
    one, and with it everything written in the same transaction)."""
    return [
        Problem(field, f"At most {limits[field]} characters (this has {len(value)}).")
        for field, value in values.items()
        if field in limits and len(value) > limits[field]
    ]


@functools.cache
def _party_limits() -> dict[str, int]:
    """A party's columns and their limits, in this order: ``name``, ``email``,
    ``address.line1``, ``line2``, ``city``, ``region``, ``postal_code``."""
    from offices.models import Location

    from .models import Package

    party = column_limits(Package, ("sender_name", "sender_email"))
    limits = {name.removeprefix("sender_"): limit for name, limit in party.items()}
    address = column_limits(Location, ("line1", "line2", "city", "region", "postal_code"))
    return limits | {f"address.{name}": limit for name, limit in address.items()}


def _length_problems(role: str, party: Party) -> list[Problem]:
    limits = _party_limits()
    address = party.address
    problems = []
    for field, value in (
        ("name", party.name),
        ("email", party.email),
        ("address.line1", address.line1),
        ("address.line2", address.line2),
        ("address.city", address.city),
        ("address.region", address.region),
        ("address.postal_code", address.postal_code),
    ):
        # Values are stored stripped: only the stripped length counts.
        if len(value) > limits[field] and len(text := value.strip()) > limits[field]:
            problems.append(Problem(f"{role}.{field}", f"At most {limits[field]} characters (this has {len(text)})."))
    return problems


# --- sender and receiver ---------------------------------------------------------------

# The one message for a phone that is refused, wherever it is written (the
# counter form, the API, the package and office imports, the office admin).
PHONE_INVALID = "This is not a valid phone number; give it with the country and area code, e.g. +1 212 555 0142."


@functools.lru_cache(maxsize=1 << 16)  # a file repeats numbers; parsing one is slow (phonenumbers)
def phone_e164(raw: str, country: str = "", *, valid_only: bool = True) -> str | None:
    """``raw`` as an E.164 number (+12125550142), read as a number of
    ``country`` (ISO code) unless it starts with +; "" for no number, None for
    text that is not a phone number. Stored and searched this way, so a number
    is found however it was typed.

    A number is a phone number when phonenumbers calls it valid (a country
    code, an area code in use and the right length), not merely possible:
    ``+1 555 0100`` has the digits of a number but no area code. A search
    passes ``valid_only=False`` to still find numbers stored before that rule.
    """
    text = raw.strip()
    if not text:
        return ""
    # phonenumbers is imported on first use, not with this module: its 30 ms
    # would otherwise be paid by every Lambda cold start.
    import phonenumbers

    region = country.strip().upper()
    try:
        number = phonenumbers.parse(text, region if len(region) == 2 else None)
    except phonenumbers.NumberParseException:
        return None
    acceptable = phonenumbers.is_valid_number if valid_only else phonenumbers.is_possible_number
    if not acceptable(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


# What a kept leading tab may stand in front of (a tab or a return there is whitespace).
FORMULA_CHARACTERS = "".join(character for character in FORMULA_START if not character.isspace())


def registered_text(value: str) -> str:
    """A typed name or address line as it is stored: without surrounding
    whitespace, except a tab in front of a formula character (=, +, -, @).
    That tab is how some spreadsheets and partner systems neutralise a formula,
    and taking it off would make the value one again (``imports.csv_cells``);
    kept, a re-import of our own export gives back exactly what was stored."""
    text = value.strip()
    if value[:1] == "\t" and text[:1] in FORMULA_CHARACTERS:
        return "\t" + text
    return text


def party_problems(role: str, party: Party) -> list[Problem]:
    """A name, a street and a city, an ISO country code, and a way to reach
    them for each notification channel they asked for; no value longer than
    its column holds."""
    problems = []
    address = party.address
    # One comparison a column, no loop: party_problems runs for every row of a million-row import.
    name, email, line1, line2, city, region, postal_code = _party_limits().values()
    if (
        len(party.name) > name
        or len(party.email) > email
        or len(address.line1) > line1
        or len(address.line2) > line2
        or len(address.city) > city
        or len(address.region) > region
        or len(address.postal_code) > postal_code
    ):
        problems += _length_problems(role, party)
    if not party.name.strip():
        problems.append(Problem(f"{role}.name", "Enter a name."))
    if not address.line1.strip():
        problems.append(Problem(f"{role}.address.line1", "Enter the street address."))
    if not address.city.strip():
        problems.append(Problem(f"{role}.address.city", "Enter the city."))
    country = address.country.strip()
    country_known = len(country) == 2 and country.isascii() and country.isalpha()
    if not country_known:
        problems.append(Problem(f"{role}.address.country", "Use the two-letter ISO country code, e.g. US."))
    if party.notify_sms and not party.phone.strip():
        problems.append(Problem(f"{role}.phone", "A phone number is needed for SMS notifications."))
    # A phone is read as a number of the country: with a wrong country (USA) the country is the one problem.
    elif country_known and phone_e164(party.phone, country) is None:
        problems.append(Problem(f"{role}.phone", PHONE_INVALID))
    if party.notify_email and not party.email.strip():
        problems.append(Problem(f"{role}.email", "An email address is needed for email notifications."))
    return problems


# --- times ------------------------------------------------------------------------------

# A scanner's clock may run a little ahead of the server's.
CLOCK_SKEW = timedelta(minutes=5)


def network_start() -> datetime:
    """The first moment a registration or an event may name: midnight UTC of
    settings.NETWORK_START_DATE."""
    from django.conf import settings

    return datetime.combine(settings.NETWORK_START_DATE, time.min, tzinfo=UTC)


def time_problems(field: str, moment: datetime, *, now: datetime, start: datetime, what: str) -> list[Problem]:
    """A registration or event time (an aware datetime) the network can have
    had: not before its ``start`` (``network_start``), not later than ``now``
    beyond the clock skew. ``what`` names it in the sentence ("An event")."""
    if moment < start:
        return [
            Problem(
                field,
                f"Before {start:%Y-%m-%d}, when the network started.",
                f"{what} cannot happen before {start:%Y-%m-%d}, when the network started.",
            )
        ]
    if moment > now + CLOCK_SKEW:
        return [Problem(field, "In the future.", f"{what} cannot happen in the future.")]
    return []
