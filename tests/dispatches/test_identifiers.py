"""S9 and S8 identifiers: built from their parts, read back, and a malformed one
refused with the position that is wrong."""

from decimal import Decimal

import pytest

from dispatches.identifiers import InvalidIdentifier, groups, parse_s8, parse_s9, s8, s9

GOOD = "USNYCAUSBOSACCN60001001910124"


def test_an_s9_identifier_is_built_in_the_upu_layout():
    identifier = s9(
        origin="USNYCA",
        destination="USBOSA",
        category="C",
        year_digit=2026,
        dispatch_serial=1,
        receptacle_serial=1,
        registered=True,
        weight_kg=Decimal("12.4"),
    )
    assert identifier == GOOD
    assert len(identifier) == 29
    assert identifier[:20] == s8(origin="USNYCA", destination="USBOSA", category="C", year_digit=6, dispatch_serial=1)


def test_an_s9_identifier_reads_back_into_its_parts():
    bag = parse_s9(" usnyca-usbosa ccn6 0001 001 91 0124 ")
    assert (bag.origin, bag.destination, bag.category, bag.subclass) == ("USNYCA", "USBOSA", "C", "CN")
    assert (bag.year_digit, bag.dispatch_serial, bag.receptacle_serial) == (6, 1, 1)
    assert (bag.highest, bag.registered, bag.weight_kg) == ("9", True, Decimal("12.4"))
    assert bag.dispatch_identifier == "USNYCAUSBOSACCN60001"
    assert bag.identifier == GOOD
    assert groups(GOOD) == ["USNYCA", "USBOSA", "CCN", "60001", "001", "91", "0124"]


@pytest.mark.parametrize(
    ("identifier", "position", "words"),
    [
        ("US1YCAUSBOSACCN60001001910124", 3, "capital letter"),
        ("USNYCAUSBOS1CCN60001001910124", 12, "destination office of exchange"),
        ("USNYCAUSBOSABCN60001001910124", 13, "A or C"),
        ("USNYCAUSBOSACUN60001001910124", 14, "CN"),
        ("USNYCAUSBOSACCX60001001910124", 15, "CN"),
        ("USNYCAUSBOSACCNX0001001910124", 16, "year"),
        ("USNYCAUSBOSACCN6000A001910124", 20, "dispatch serial"),
        ("USNYCAUSBOSACCN60000001910124", 20, "start at 0001"),
        ("USNYCAUSBOSACCN60001000910124", 23, "receptacle serial"),
        ("USNYCAUSBOSACCN60001001510124", 24, "highest"),
        ("USNYCAUSBOSACCN60001001920124", 25, "registered"),
        ("USNYCAUSBOSACCN60001001910000", 29, "weight"),
        ("USNYCAUSBOSACCN6000100191012", 29, "29 characters, not 28"),
        ("USNYCAUSBOSACCN600010019101245", 30, "not 30"),
        ("USNYCAUSBOSACCN60001001910X24", 27, "digit"),
    ],
)
def test_a_malformed_s9_is_refused_with_the_wrong_position(identifier, position, words):
    with pytest.raises(InvalidIdentifier) as refused:
        parse_s9(identifier)
    assert refused.value.position == position
    assert words in refused.value.message


def test_a_malformed_s8_is_refused_with_the_wrong_position():
    assert parse_s8("usnycausbosaccn60001") == "USNYCAUSBOSACCN60001"
    with pytest.raises(InvalidIdentifier) as refused:
        parse_s8("USNYCAUSBOSACCN6001")
    assert refused.value.position == 20
    with pytest.raises(InvalidIdentifier) as refused:
        parse_s8("USNYCAUSBOSAZCN60001")
    assert refused.value.position == 13


def test_building_refuses_what_the_layout_cannot_hold():
    with pytest.raises(ValueError, match="0.1–999.8"):
        s9(
            origin="USNYCA",
            destination="USBOSA",
            category="A",
            year_digit=6,
            dispatch_serial=1,
            receptacle_serial=1,
            registered=False,
            weight_kg=Decimal("999.9"),
        )
    with pytest.raises(InvalidIdentifier):  # an office without a six-letter exchange code
        s9(
            origin="NYC01",
            destination="USBOSA",
            category="A",
            year_digit=6,
            dispatch_serial=1,
            receptacle_serial=1,
            registered=False,
            weight_kg=Decimal("1.0"),
        )
