"""The rules over plain values: every problem of a row at once, no database;
pricing a batch reads the tariffs once; tracking numbers come in blocks."""

from decimal import Decimal

import pytest

from shipments.exceptions import ShipmentError
from shipments.models import Service
from shipments.pricing import PriceList
from shipments.rules import parcel_problems, party_problems
from shipments.serials import tracking_numbers_for
from shipments.statuses import Status, effect_of
from shipments.step_rules import event_detail_problems
from shipments.tracking_numbers import normalize_tracking_number
from shipments.values import Address, Parcel, Party


def test_a_row_gets_every_problem_at_once_without_the_database():
    # No database fixture: a query here would fail the test.
    bad = Party(name=" ", address=Address(line1="", city="", country="USA"), notify_sms=True, notify_email=True)
    problems = party_problems("receiver", bad) + parcel_problems(
        weight_grams=80_000, length_cm=0, width_cm=301, height_cm=True, declared_value=Decimal("NaN")
    )
    assert {problem.field: problem.message for problem in problems} == {
        "receiver.name": "Enter a name.",
        "receiver.address.line1": "Enter the street address.",
        "receiver.address.city": "Enter the city.",
        "receiver.address.country": "Use the two-letter ISO country code, e.g. US.",
        "receiver.phone": "A phone number is needed for SMS notifications.",
        "receiver.email": "An email address is needed for email notifications.",
        "weight_grams": "Parcels over 70 kg are freight; we cannot take them at the counter.",
        "length_cm": "Must be a whole number greater than zero.",
        "width_cm": "No side may be longer than 300 cm.",
        "height_cm": "Must be a whole number greater than zero.",
        "declared_value": "Must be an amount of zero or more.",
    }


def test_event_details_name_the_status_the_clerk_reads():
    assert [p.sentence for p in event_detail_problems(status="delayed", reason="", received_by="")] == [
        "Pick a reason for “Delayed”."
    ]
    assert [p.sentence for p in event_detail_problems(status="arrived", reason="weather", received_by="")] == [
        "“Arrived (received)” takes no reason."
    ]
    assert event_detail_problems(status="delivered", reason="", received_by="Rita") == []


def test_pricing_a_batch_reads_the_tariffs_once(tariff, office_a, office_b, django_assert_num_queries):
    with django_assert_num_queries(1):
        price_list = PriceList.load()
        quotes = [
            price_list.quote(
                Parcel(
                    origin_office=office_a,
                    destination_office=office_b,
                    service=Service.STANDARD,
                    weight_grams=500 + n,
                    length_cm=10,
                    width_cm=10,
                    height_cm=10,
                )
            )
            for n in range(50)
        ]
    assert len({quote.total for quote in quotes}) > 1
    assert all(
        quote.total == quote.base + quote.weight + quote.distance + quote.insurance + quote.surcharges + quote.tax
        for quote in quotes
    )


def test_a_batch_that_cannot_be_priced_says_why_with_every_field(tariff, office_a, office_b):
    office_b.is_active = False
    parcel = Parcel(
        origin_office=office_a,
        destination_office=office_b,
        service="teleport",
        weight_grams=0,
        length_cm=1,
        width_cm=1,
        height_cm=1,
    )
    with pytest.raises(ShipmentError) as refused:
        PriceList.load().quote(parcel)
    assert refused.value.message == "Please correct the parcel details."
    assert refused.value.details == {
        "weight_grams": "Must be a whole number greater than zero.",
        "service": "Unknown service.",
        "destination_office": "This office is closed.",
    }


def test_tracking_numbers_come_in_blocks_from_one_sequence_call(db, django_assert_num_queries):
    # The draw, and one look for numbers of ours registered some other way (skipped).
    with django_assert_num_queries(2):
        numbers = tracking_numbers_for(Service.EXPRESS, 200)
    assert len(set(numbers)) == 200
    assert all(normalize_tracking_number(number) == number and number.startswith("EE") for number in numbers)


def test_the_effect_of_a_status_on_a_package():
    from datetime import UTC, datetime, timedelta

    at = datetime(2026, 5, 1, 9, tzinfo=UTC)
    assert effect_of(Status.ACCEPTED, office_id=7, occurred_at=at, transit_days=2) == {
        "status": "accepted",
        "current_office_id": 7,
        "accepted_at": at,
        "expected_delivery_at": at + timedelta(days=2),
    }
    assert effect_of(Status.IN_TRANSIT, office_id=7, occurred_at=at, transit_days=2) == {
        "status": "in_transit",
        "current_office_id": None,
    }
    assert effect_of(Status.DELIVERED, office_id=8, occurred_at=at, transit_days=2, received_by="Rita") == {
        "status": "delivered",
        "current_office_id": 8,
        "delivered_at": at,
        "received_by": "Rita",
    }
    assert effect_of(Status.DELAYED, office_id=None, occurred_at=at, transit_days=2) == {"status": "delayed"}
