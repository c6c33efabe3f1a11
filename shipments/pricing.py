"""What sending a parcel costs: chargeable weight, distance and the tariff.

``PriceList`` holds the tariffs, loaded once; it prices any number of parcels
without touching the database (the counter prices one, an import a million).
Money is Decimal rounded to cents, half up; a quote's total is the sum of its
parts. docs/domain.md, "Pricing", has the formula.
"""

import math
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, NamedTuple

from offices.models import Location, Office

from .models import Service, Tariff
from .rules import CENT, Problem, parcel_problems, refuse
from .values import Parcel

EARTH_RADIUS_KM = 6371.0088
VOLUMETRIC_DIVISOR_CM3_PER_KG = 5000
_SERVICES = frozenset(Service.values)


class Quote(NamedTuple):
    """A cost breakdown. Money is Decimal, rounded to cents; total is the sum of the parts.

    A named tuple: a batch makes a million of them, and a tuple is made fastest."""

    base: Decimal
    weight: Decimal
    distance: Decimal
    insurance: Decimal
    surcharges: Decimal
    tax: Decimal
    total: Decimal
    currency: str
    chargeable_weight_grams: int
    distance_km: Decimal
    transit_days: int

    def as_dict(self) -> dict[str, Any]:
        return self._asdict()


def _money(value: Decimal) -> Decimal:
    return value.quantize(CENT, ROUND_HALF_UP)


def great_circle_km(origin: Location, destination: Location) -> float:
    """Haversine distance between two located addresses."""
    lat1, lon1, lat2, lon2 = map(
        math.radians,
        (float(origin.latitude), float(origin.longitude), float(destination.latitude), float(destination.longitude)),  # type: ignore[arg-type]
    )
    a = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def chargeable_weight_grams(*, weight_grams: int, length_cm: int, width_cm: int, height_cm: int) -> int:
    """max(actual, volumetric) where volumetric kg = L×W×H / 5000 (cm), rounded up to the gram."""
    volumetric_grams = -(-(length_cm * width_cm * height_cm * 1000) // VOLUMETRIC_DIVISOR_CM3_PER_KG)
    return max(weight_grams, volumetric_grams)


def _office_problems(role: str, office: Office) -> list[Problem]:
    if not office.is_active:
        return [Problem(role, "This office is closed.", f"Office {office.code} is closed.")]
    if office.location.latitude is None or office.location.longitude is None:
        return [
            Problem(
                role,
                "This office has no coordinates.",
                f"Office {office.code} has no coordinates, so the distance cannot be priced.",
                "office_not_located",
            )
        ]
    return []


class PriceList:
    """The tariffs of every service, read once; quotes parcels from memory."""

    def __init__(self, tariffs: Iterable[Tariff]):
        self.tariffs = {tariff.service: tariff for tariff in tariffs}
        self._base = {service: _money(tariff.base_fee) for service, tariff in self.tariffs.items()}
        # Remembered per office object (id(), not the pk: a batch passes the same
        # few loaded offices a million times, and id() is the cheapest key).
        # The offices are kept so their ids stay theirs.
        self._offices: dict[int, Office] = {}
        self._distance_km: dict[tuple[int, int], Decimal] = {}
        self._office_problems: dict[tuple[str, int], list[Problem]] = {}

    @classmethod
    def load(cls) -> "PriceList":
        return cls(Tariff.objects.all())

    def problems(self, parcel: Parcel) -> list[Problem]:
        """Everything that keeps ``parcel`` from being priced (none: it can be)."""
        problems = parcel_problems(
            weight_grams=parcel.weight_grams,
            length_cm=parcel.length_cm,
            width_cm=parcel.width_cm,
            height_cm=parcel.height_cm,
            declared_value=parcel.declared_value,
        )
        service = parcel.service
        tariff = self.tariffs.get(service)
        if service not in _SERVICES:
            choices = ", ".join(Service.values)
            problems.append(
                Problem("service", "Unknown service.", f"Unknown service “{service}”. Choose one of: {choices}.")
            )
        elif tariff is None:
            sentence = f"There is no tariff for {service} yet; ask HQ to set one."
            problems.append(Problem("service", "No tariff yet.", sentence, "no_tariff"))
        elif parcel.currency and parcel.currency.upper() != tariff.currency:
            sentence = f"Declared values are taken in {tariff.currency} only."
            problems.append(Problem("currency", f"Must be {tariff.currency}.", sentence))
        problems += self._problems_of_office("origin_office", parcel.origin_office)
        problems += self._problems_of_office("destination_office", parcel.destination_office)
        return problems

    def _problems_of_office(self, role: str, office: Office) -> list[Problem]:
        key = (role, id(office))
        problems = self._office_problems.get(key)
        if problems is None:
            self._offices[id(office)] = office
            problems = self._office_problems[key] = _office_problems(role, office)
        return problems

    def distance_km(self, origin: Office, destination: Office) -> Decimal:
        """Great-circle kilometres between two offices, to a tenth (remembered per pair)."""
        key = (id(origin), id(destination))
        distance = self._distance_km.get(key)
        if distance is None:
            self._offices[id(origin)], self._offices[id(destination)] = origin, destination
            distance = Decimal(str(round(great_circle_km(origin.location, destination.location), 1)))
            self._distance_km[key] = distance
        return distance

    def quote(self, parcel: Parcel) -> Quote:
        """What sending ``parcel`` costs today; a ShipmentError says why it cannot be priced."""
        refuse(self.problems(parcel), "Please correct the parcel details.")
        return self.price(parcel)

    def price(self, parcel: Parcel) -> Quote:
        """The cost of a parcel that ``problems`` found nothing wrong with (a batch
        checks every row first and prices the good ones, without checking twice)."""
        tariff = self.tariffs[parcel.service]
        declared_value = Decimal(parcel.declared_value)
        chargeable = chargeable_weight_grams(
            weight_grams=parcel.weight_grams,
            length_cm=parcel.length_cm,
            width_cm=parcel.width_cm,
            height_cm=parcel.height_cm,
        )
        distance_km = self.distance_km(parcel.origin_office, parcel.destination_office)
        base = self._base[parcel.service]
        # Cents, half up (_money inlined: this runs a million times in an import).
        weight = (tariff.per_kg * chargeable / 1000).quantize(CENT, ROUND_HALF_UP)
        distance = (tariff.per_km * distance_km).quantize(CENT, ROUND_HALF_UP)
        insurance = (declared_value * tariff.insurance_rate).quantize(CENT, ROUND_HALF_UP)
        surcharges = ((base + weight + distance) * tariff.surcharge_rate).quantize(CENT, ROUND_HALF_UP)
        tax = ((base + weight + distance + insurance + surcharges) * tariff.tax_rate).quantize(CENT, ROUND_HALF_UP)
        return Quote(
            base=base,
            weight=weight,
            distance=distance,
            insurance=insurance,
            surcharges=surcharges,
            tax=tax,
            total=base + weight + distance + insurance + surcharges + tax,
            currency=tariff.currency,
            chargeable_weight_grams=chargeable,
            distance_km=distance_km,
            transit_days=tariff.transit_days,
        )


def quote(parcel: Parcel, *, price_list: PriceList | None = None) -> Quote:
    """What sending ``parcel`` costs today. Creates nothing; reads the tariffs
    unless a loaded ``price_list`` is given."""
    return (price_list or PriceList.load()).quote(parcel)
