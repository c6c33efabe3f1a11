"""Charges that are not the frozen cost: the return fee."""

from datetime import datetime
from decimal import Decimal

from .models import Charge, Package, Tariff

ZERO = Decimal("0.00")


def return_charge(package: Package, *, charged_at: datetime) -> Charge | None:
    """The ``return`` charge of a parcel going back to its sender: its service's
    ``return_fee`` from today's tariff, counted for its origin office like its
    shipping charge (none when the fee is zero or the service has no tariff).
    Charges are append-only: a package has at most one (``charge_one_per_package_kind``)."""
    tariff = Tariff.objects.filter(service=package.service).only("return_fee", "currency").first()
    if tariff is None or not tariff.return_fee:
        return None
    return Charge.objects.create(
        package=package,
        kind=Charge.Kind.RETURN,
        office_id=package.origin_office_id,
        destination_office_id=package.destination_office_id,
        service=package.service,
        base=tariff.return_fee,
        weight=ZERO,
        distance=ZERO,
        insurance=ZERO,
        surcharges=ZERO,
        tax=ZERO,
        total=tariff.return_fee,
        currency=tariff.currency,
        charged_at=charged_at,
    )
