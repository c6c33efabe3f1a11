"""A package row of an import: its columns in the file, its checks' helpers,
and the staging table it goes into with the text a re-run compares
(``compared_text`` against PostgreSQL's ``STORED_TEXT``)."""

import re
from dataclasses import dataclass, field
from decimal import Decimal

from imports.copy import copy_text
from offices.models import Location, Office

from ..rules import phone_e164
from ..values import Parcel, Party

PARTY_COLUMNS = ("name", "email", "phone", "line1", "line2", "city", "region", "postal_code", "country")
ADDRESS_COLUMNS = ("line1", "line2", "city", "region", "postal_code", "country")
_TRUE = frozenset({"true", "1", "yes", "y", "t"})
_FALSE = frozenset({"false", "0", "no", "n", "f", ""})
_WHOLE = re.compile(r"^\s*\d+\s*$")
# Stands in for an unknown office code so the parcel's other problems are still found.
NO_OFFICE = Office(code="?", is_active=True, location=Location(latitude=0, longitude=0))

# The parcel facts frozen at registration: a row may not change them.
FROZEN = (
    "origin_office_id",
    "destination_office_id",
    "service",
    "weight_grams",
    "length_cm",
    "width_cm",
    "height_cm",
    "declared_value",
)
PARTY_STAGE = tuple(
    f"{role}_{name}"
    for role in ("sender", "receiver")
    for name in ("name", "phone", "email", "notify_sms", "notify_email")
)
ADDRESS_STAGE = tuple(f"{role}_{name}" for role in ("sender", "receiver") for name in ADDRESS_COLUMNS)
COST = (
    "chargeable_weight_grams",
    "distance_km",
    "cost_base",
    "cost_weight",
    "cost_distance",
    "cost_insurance",
    "cost_surcharges",
    "cost_tax",
    "cost_total",
    "cost_currency",
    "transit_days",
)
# What a row may change or must keep, in this order, is compared as one text (``compared_text``, ``STORED_TEXT``).
COMPARED = (*FROZEN, *PARTY_STAGE, *ADDRESS_STAGE)
# A party's columns a file may leave out: for a registered parcel, "leave it as it is", never "blank"
# (staged as NULL); a new parcel gets the default (empty, no notifications).
LEAVABLE = {
    name: COMPARED.index(name)
    for name in (*PARTY_STAGE, *ADDRESS_STAGE)
    if name.split("_", 1)[1] not in ("name", "line1", "city", "country")
}
LEAVABLE_NAMES = frozenset(LEAVABLE)
# A party's columns and what a change record calls them.
PARTIES = (*PARTY_STAGE, *ADDRESS_STAGE)
STAGE_COLUMNS = (
    "line",
    "tracking_number",
    *COMPARED,
    *COST,
    "created_at",
    "package_id",
    "sender_address_id",
    "receiver_address_id",
    "is_new",
)
STAGE_TYPES = {
    "line": "int",
    "origin_office_id": "bigint",
    "destination_office_id": "bigint",
    "weight_grams": "int",
    "length_cm": "int",
    "width_cm": "int",
    "height_cm": "int",
    "declared_value": "numeric",
    "chargeable_weight_grams": "int",
    "distance_km": "numeric",
    "transit_days": "int",
    "created_at": "timestamptz",
    "package_id": "bigint",
    "sender_address_id": "bigint",
    "receiver_address_id": "bigint",
    "is_new": "boolean",
    **{f"{role}_notify_{channel}": "boolean" for role in ("sender", "receiver") for channel in ("sms", "email")},
    **{name: "numeric" for name in COST if name.startswith("cost_") and name != "cost_currency"},
}
STAGE = "import_package_stage"


def column_of(field: str) -> str:
    """A rule's field name (``sender.address.line1``) as the file's column (``sender_line1``)."""
    return field.replace(".address.", "_").replace(".", "_")


def whole(text: str) -> int | str:
    if text.isdecimal():  # the common case, without the regular expression
        return int(text)
    return int(text) if _WHOLE.match(text) else text


ZERO = Decimal(0)
_CENT = Decimal("0.01")
NO_COST = "\t".join(["\\N"] * len(COST))
_COPY_SPECIAL_BUT_TAB = re.compile(r"[\\\n\r]")
# The stored counterpart of ``compared_text``: PostgreSQL's text of the same columns, in the same order.
STORED_TEXT = (
    "concat_ws(E'\\t', "
    + ", ".join(
        [f"p.{name}" for name in (*FROZEN, *PARTY_STAGE)]
        + [f"{role[0]}.{name}" for role in ("sender", "receiver") for name in ADDRESS_COLUMNS]
    )
    + ")"
)


@dataclass(slots=True)
class Staged:
    """A good row: what is staged for it (``compared``: the COMPARED columns as COPY text)."""

    tracking_number: str
    compared: str
    comparable: bool  # compared is in the stored form (see compared_text)
    parcel: Parcel
    created_at: str
    line: int = 0
    costs: str = ""  # the COST columns as COPY text, when priced ahead in the reader thread
    generated: bool = False  # the tracking number was drawn for the row (it had none)
    absent: tuple[int, ...] = ()  # positions in COMPARED of the LEAVABLE columns the row leaves out


@dataclass
class CheckedBatch:
    """A batch after the rules: the good rows to write and the rejected ones."""

    staged: list[Staged] = field(default_factory=list)
    rejected: dict[int, dict[str, str]] = field(default_factory=dict)


def compared_text(parcel: Parcel, sender: Party, receiver: Party, absent: tuple[int, ...] = ()) -> tuple[str, bool]:
    """The COMPARED values of a good row (stripped) as COPY text, and whether it is the
    form PostgreSQL prints the stored ones in (``STORED_TEXT``: booleans t/f,
    the declared value to the cent). When it is, equal texts mean equal values,
    so a re-run compares one string a row; a row with a tab, a backslash or a
    line break in a value (escaped for COPY), or a declared value with more
    decimals, is compared column by column in SQL. The ``absent`` positions are
    NULL (``\\N``): the stored value stays (``filled``)."""
    declared = parcel.declared_value
    cents = declared.quantize(_CENT)
    texts = [
        str(parcel.origin_office.id),
        str(parcel.destination_office.id),
        parcel.service,
        str(parcel.weight_grams),
        str(parcel.length_cm),
        str(parcel.width_cm),
        str(parcel.height_cm),
        str(cents if cents == declared else declared),
    ]
    for party in (sender, receiver):
        texts += (
            party.name,
            phone_e164(party.phone, party.address.country) or "",
            party.email,
            "t" if party.notify_sms else "f",
            "t" if party.notify_email else "f",
        )
    for party in (sender, receiver):
        address = party.address
        texts += (
            address.line1,
            address.line2,
            address.city,
            address.region,
            address.postal_code,
            address.country.upper(),
        )
    text = "\t".join(texts)
    plain = text.count("\t") == len(COMPARED) - 1 and not _COPY_SPECIAL_BUT_TAB.search(text)
    if plain and not absent:
        return text, cents == declared
    if not plain:
        texts = list(map(copy_text, texts))
    for position in absent:
        texts[position] = "\\N"
    return "\t".join(texts), plain and cents == declared


def filled(compared: str, stored: str, absent: tuple[int, ...]) -> str:
    """A comparable row's text with the stored values where it leaves columns out."""
    values, kept = compared.split("\t"), stored.split("\t")
    if len(kept) != len(values):
        return compared  # a stored value holds a tab: compared in SQL
    for position in absent:
        values[position] = kept[position]
    return "\t".join(values)


def flag(text: str) -> bool | None:
    if text == "true":
        return True
    if text == "false":
        return False
    value = text.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    return None
