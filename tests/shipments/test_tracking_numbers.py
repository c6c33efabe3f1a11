import pytest

from shipments.exceptions import InvalidTrackingNumber
from shipments.services import next_tracking_number
from shipments.tracking_numbers import (
    check_digit,
    is_issuable_serial,
    issuable_tracking_number,
    make_tracking_number,
    normalize_tracking_number,
)


def test_check_digit_matches_the_upu_example():
    # docs/domain.md's example number.
    assert make_tracking_number("EE", 47312482, "US") == "EE473124829US"


@pytest.mark.parametrize(
    ("serial", "expected"),
    [("00000000", 5), ("00000001", 4), ("12345678", 5), ("47312482", 9), ("99999999", 5)],
)
def test_check_digit_rules_for_ten_and_eleven(serial, expected):
    assert check_digit(serial) == expected


def test_normalize_accepts_spaces_dashes_and_lower_case():
    assert normalize_tracking_number(" ee 4731-2482 9us ") == "EE473124829US"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "Enter a tracking number"),
        ("EE47312482US", "expected 2 letters, 9 digits and 2 letters"),
        ("1E473124829US", "expected 2 letters"),
        ("EE473124828US", "wrong check digit"),
    ],
)
def test_normalize_rejects_bad_input_with_a_clear_message(raw, message):
    with pytest.raises(InvalidTrackingNumber, match=message):
        normalize_tracking_number(raw)


def _single_digit_typos(number: str):
    for position in range(2, 11):
        for digit in "0123456789":
            if digit != number[position]:
                yield number[:position] + digit + number[position + 1 :]


@pytest.mark.django_db
def test_every_single_digit_typo_of_issued_numbers_is_caught():
    numbers = [next_tracking_number("standard") for _ in range(300)]
    assert len(set(numbers)) == 300
    for number in numbers:
        assert normalize_tracking_number(number) == number
        for typo in _single_digit_typos(number):
            with pytest.raises(InvalidTrackingNumber):
                normalize_tracking_number(typo)


def test_every_single_digit_typo_is_caught_for_every_issuable_serial_pattern():
    # Serials spread over the whole range, so every remainder and digit pattern shows up.
    for serial in range(0, 10**8, 99_991):
        if not is_issuable_serial(serial):
            continue
        number = make_tracking_number("CP", serial, "US")
        for typo in _single_digit_typos(number):
            with pytest.raises(InvalidTrackingNumber):
                normalize_tracking_number(typo)


def test_issuable_tracking_number_is_make_tracking_number_for_issuable_serials_only():
    for serial in [*range(0, 10**8, 999_983), 47312482, 10**8 + 47312482]:
        expected = make_tracking_number("EX", serial, "US") if is_issuable_serial(serial % 10**8) else None
        assert issuable_tracking_number("EX", serial, "US") == expected


def test_plain_s10_would_miss_some_typos_which_is_why_we_skip_those_serials():
    unsafe = next(
        serial for serial in range(10**8) if not is_issuable_serial(serial) and check_digit(f"{serial:08d}") == 5
    )
    number = make_tracking_number("CP", unsafe, "US")
    missed = [typo for typo in _single_digit_typos(number) if _passes(typo)]
    assert missed, "the standard's 10→0 / 11→5 mapping lets some typos through for these serials"


def _passes(number: str) -> bool:
    try:
        normalize_tracking_number(number)
    except InvalidTrackingNumber:
        return False
    return True


@pytest.mark.django_db
def test_issued_numbers_come_from_the_sequence_with_the_service_letters():
    first, second = next_tracking_number("express"), next_tracking_number("overnight")
    assert first.startswith("EE")
    assert first.endswith("US")
    assert second.startswith("EX")
    assert int(second[2:10]) > int(first[2:10])
