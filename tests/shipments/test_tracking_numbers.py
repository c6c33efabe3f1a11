import pytest

from shipments.exceptions import InvalidTrackingNumber
from shipments.serials import next_tracking_number, tracking_numbers_for
from shipments.tracking_numbers import (
    FIRST_POSITION,
    check_digit,
    is_issuable_serial,
    issuable_tracking_number,
    issued_tracking_number,
    make_tracking_number,
    normalize_tracking_number,
    permuted_serial,
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
def test_issued_numbers_carry_the_service_letters_and_the_country():
    first, second = next_tracking_number("express"), next_tracking_number("overnight")
    assert first.startswith("EE")
    assert first.endswith("US")
    assert second.startswith("EX")


# --- enumeration: serials are a keyed permutation of the sequence -------------------

KEY = "test-only-not-a-secret"


def test_permuted_serials_are_unique_over_a_large_range():
    positions = range(FIRST_POSITION, FIRST_POSITION + 2_000_000)
    serials = [permuted_serial(position, KEY) for position in positions]
    assert len(set(serials)) == len(serials)
    assert all(0 <= serial < 10**8 for serial in serials)


def test_the_permutation_depends_on_the_key():
    positions = range(FIRST_POSITION, FIRST_POSITION + 1000)
    mine = [permuted_serial(position, KEY) for position in positions]
    theirs = [permuted_serial(position, "another key") for position in positions]
    assert sum(a == b for a, b in zip(mine, theirs, strict=True)) < 5


def _neighbours(number: str, reach: int = 13) -> list[str]:
    """The valid numbers whose serial is within ``reach`` of ``number``'s: what a
    prober holding one number tries first."""
    serial = int(number[2:10])
    return [
        make_tracking_number(number[:2], near, number[-2:])
        for near in range(serial - reach, serial + reach + 1)
        if near != serial and 0 <= near < 10**8
    ]


@pytest.mark.django_db
def test_neighbours_of_issued_numbers_are_mostly_not_issued():
    issued = set(tracking_numbers_for("standard", 5000))
    neighbours = [near for number in sorted(issued)[:500] for near in _neighbours(number)]
    hits = sum(near in issued for near in neighbours)
    # Consecutive serials made most of them real parcels; now they are as rare as any guess.
    assert hits / len(neighbours) < 0.01


@pytest.mark.django_db
def test_issued_numbers_have_a_valid_check_digit_and_never_an_ambiguous_serial():
    for number in tracking_numbers_for("express", 2000):
        assert normalize_tracking_number(number) == number
        assert is_issuable_serial(int(number[2:10]))


def test_serials_issued_before_the_permutation_are_never_drawn_again():
    # Positions whose permuted serial is in the old plain range [FIRST_POSITION, plain_below)
    # give no number at all; every other position gives the permuted serial's number.
    plain_below = FIRST_POSITION + 40_000_000
    for position in range(plain_below, plain_below + 20_000):
        serial = permuted_serial(position, KEY)
        number = issued_tracking_number("CP", position, "US", key=KEY, plain_below=plain_below)
        if FIRST_POSITION <= serial < plain_below:
            assert number is None
        else:
            assert number == issuable_tracking_number("CP", serial, "US")


@pytest.mark.django_db
def test_allocation_skips_the_serials_issued_before_the_permutation():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("UPDATE shipments_tracking_serial_scheme SET plain_below = %s", [10**8])
    # Every serial from 10,000,000 up may have been issued plain: only lower ones are drawn.
    assert all(int(number[2:10]) < FIRST_POSITION for number in tracking_numbers_for("standard", 300))
