"""The plain values a registration is made of: who sends what to whom.

Forms, serializers and import rows turn their input into these; the rules
(``shipments.rules``), pricing (``shipments.pricing``) and the services take
them. No database access here.
"""

from dataclasses import dataclass
from decimal import Decimal

from offices.models import Office


@dataclass(frozen=True, slots=True)
class Address:
    line1: str
    city: str
    country: str
    line2: str = ""
    region: str = ""
    postal_code: str = ""


@dataclass(frozen=True, slots=True)
class Party:
    """A sender or receiver as the counter takes them down."""

    name: str
    address: Address
    phone: str = ""
    email: str = ""
    notify_sms: bool = False
    notify_email: bool = False


@dataclass(frozen=True, slots=True)
class Parcel:
    """What a price depends on: the route, the service and the parcel's facts."""

    origin_office: Office
    destination_office: Office
    service: str
    weight_grams: int
    length_cm: int
    width_cm: int
    height_cm: int
    declared_value: Decimal = Decimal("0")
    currency: str | None = None
