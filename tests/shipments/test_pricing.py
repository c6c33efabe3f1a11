"""Pricing (shipments.pricing): chargeable weight, distance, the breakdown, and
the parcels a quote refuses; a quote creates nothing."""

from decimal import Decimal

import pytest

from shipments.exceptions import ShipmentError
from shipments.models import Charge, Package
from shipments.pricing import great_circle_km, quote
from shipments.values import Parcel


def test_great_circle_distance_new_york_to_london(new_york, london):
    assert great_circle_km(new_york.location, london.location) == pytest.approx(5570, abs=10)


def test_quote_uses_actual_weight_when_heavier_than_volumetric(tariff, new_york, london):
    cost = quote(
        Parcel(
            origin_office=new_york,
            destination_office=london,
            service="standard",
            weight_grams=2500,
            length_cm=10,
            width_cm=10,
            height_cm=10,
            declared_value=Decimal("0"),
        )
    )
    # volumetric: 10×10×10/5000 = 0.2 kg < 2.5 kg actual
    assert cost.chargeable_weight_grams == 2500
    assert cost.weight == Decimal("2.50")


def test_quote_uses_volumetric_weight_for_bulky_light_parcels(tariff, new_york, london):
    cost = quote(
        Parcel(
            origin_office=new_york,
            destination_office=london,
            service="standard",
            weight_grams=500,
            length_cm=50,
            width_cm=40,
            height_cm=30,
            declared_value=Decimal("0"),
        )
    )
    # 50×40×30/5000 = 12 kg
    assert cost.chargeable_weight_grams == 12_000
    assert cost.weight == Decimal("12.00")


def test_quote_breakdown_distance_insurance_surcharge_and_tax(tariff, new_york, london):
    cost = quote(
        Parcel(
            origin_office=new_york,
            destination_office=london,
            service="standard",
            weight_grams=1000,
            length_cm=10,
            width_cm=10,
            height_cm=10,
            declared_value=Decimal("200"),
        )
    )
    km = Decimal(str(round(great_circle_km(new_york.location, london.location), 1)))
    assert cost.distance_km == km
    assert cost.base == Decimal("5.00")
    assert cost.distance == (km * Decimal("0.01")).quantize(Decimal("0.01"))
    assert cost.insurance == Decimal("2.00")  # 1 % of 200
    assert cost.surcharges == ((cost.base + cost.weight + cost.distance) * Decimal("0.1")).quantize(Decimal("0.01"))
    pre_tax = cost.base + cost.weight + cost.distance + cost.insurance + cost.surcharges
    assert cost.tax == (pre_tax * Decimal("0.2")).quantize(Decimal("0.01"))
    assert cost.total == pre_tax + cost.tax
    assert cost.currency == "USD"


def test_quote_creates_nothing(tariff, new_york, london):
    quote(
        Parcel(
            origin_office=new_york,
            destination_office=london,
            service="standard",
            weight_grams=1000,
            length_cm=10,
            width_cm=10,
            height_cm=10,
        )
    )
    assert Package.objects.count() == 0
    assert Charge.objects.count() == 0


@pytest.mark.parametrize(
    ("facts", "field"),
    [
        ({"weight_grams": 0}, "weight_grams"),
        ({"length_cm": -1}, "length_cm"),
        ({"weight_grams": 80_000}, "weight_grams"),
        ({"declared_value": Decimal("-1")}, "declared_value"),
    ],
)
def test_quote_refuses_impossible_parcels_with_the_field_named(tariff, new_york, london, facts, field):
    values = {"weight_grams": 1000, "length_cm": 10, "width_cm": 10, "height_cm": 10, "declared_value": Decimal(0)}
    values.update(facts)
    with pytest.raises(ShipmentError) as refused:
        quote(Parcel(origin_office=new_york, destination_office=london, service="standard", **values))
    assert field in refused.value.details


def test_quote_refuses_a_foreign_currency_and_an_unknown_service(tariff, new_york, london):
    facts = {"weight_grams": 1000, "length_cm": 10, "width_cm": 10, "height_cm": 10}
    with pytest.raises(ShipmentError, match="USD"):
        quote(Parcel(origin_office=new_york, destination_office=london, service="standard", currency="EUR", **facts))
    with pytest.raises(ShipmentError, match="Unknown service"):
        quote(Parcel(origin_office=new_york, destination_office=london, service="teleport", **facts))
