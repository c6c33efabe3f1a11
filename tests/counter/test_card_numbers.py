"""A card number is never stored, whatever separates its digits: in a
payment's or refund's reference, a correction's reason, a till's cash-up note
or a COD pay-out's bank reference. Ordinary references still go in."""

import pytest

from counter.cod import remittance_pay
from counter.models import Payment, Remittance, Till
from counter.rules import looks_like_card_number
from counter.services import Tender, payment_record
from counter.tills import till_close
from shipments.exceptions import ShipmentError
from shipments.services import package_record_event

from .conftest import card, cod_collected

CARD_NUMBERS = [
    "4111.1111.1111.1111",
    "4111/1111/1111/1111",
    "4111_1111_1111_1111",
    "4111  1111  1111  1111",
    "4111 - 1111 - 1111 - 1111",
    "4111\t1111\n1111 1111",
    "4111111111111111",
    "Card 4111 1111 1111 1111 declined",
    "3782-822463-10005",  # 15 digits, 4-6-5
    "1234.5678.9012",  # twelve
    "4111 1111 1111 111",  # a last group shorter
]
REFERENCES = [
    "AUTH-77",
    "PP-2026-1",
    "1234567890",
    "AUTH 123456",
    "2026-12-07 19:25:40",
    "12345678901",
    "A1B2C3",
    "100 / 50 / 20 / 10 / 5 / 2 / 1",  # a cash-up note counting notes
    "20.00 x 3, 10.00 x 4, 5.00 x 2",
]


@pytest.mark.parametrize("text", CARD_NUMBERS)
def test_twelve_digits_or_more_whatever_separates_them_look_like_a_card_number(text):
    assert looks_like_card_number(text)


@pytest.mark.parametrize("text", REFERENCES)
def test_ordinary_references_do_not(text):
    assert not looks_like_card_number(text)


@pytest.mark.parametrize("reference", ["4111.1111.1111.1111", "4111/1111/1111/1111", "4111_1111_1111_1111"])
def test_a_payment_reference_with_a_card_number_is_refused(register, reference):
    with pytest.raises(ShipmentError, match="card number") as caught:
        register(Tender(method="card", reference=reference, card_last4="1111"))
    assert caught.value.code == "card_number"
    assert not Payment.objects.exists()


def test_a_refund_reference_with_a_card_number_is_refused(register, clerk_a):
    package = register(card())
    package_record_event(package=package, status="cancelled", actor=clerk_a)
    with pytest.raises(ShipmentError, match="card number") as caught:
        payment_record(
            package=package, actor=clerk_a, kind="refund", tender=card(reference="4111.1111.1111.1111", last4="")
        )
    assert caught.value.code == "card_number"
    assert not Payment.objects.filter(kind="refund").exists()


def test_a_correction_reason_with_a_card_number_is_refused(register, manager_a, office_a):
    package = register(card())
    correction = {"kind": "correction", "tender": card(), "amount": "-1.00", "office": office_a}
    with pytest.raises(ShipmentError, match="card number") as caught:
        payment_record(package=package, actor=manager_a, reason="Card was 4111/1111/1111/1111", **correction)
    assert "reason" in caught.value.details
    assert payment_record(package=package, actor=manager_a, reason="Typed twice, AUTH-77", **correction).reason


def test_a_cash_up_note_with_a_card_number_is_refused(clerk_a, till_a):
    with pytest.raises(ShipmentError, match="card number") as caught:
        till_close(actor=clerk_a, till=till_a, counted="100.00", note="Left behind: 4111.1111.1111.1111")
    assert "note" in caught.value.details
    assert Till.objects.get().closed_at is None
    assert till_close(actor=clerk_a, till=till_a, counted="100.00", note="PP-2026-1 counted twice").closed_at


def test_a_bank_reference_with_a_card_number_is_refused(cod_tariff, office_a, office_c, manager_a, hq):
    payment = cod_collected(office_a, office_c, hq)
    with pytest.raises(ShipmentError, match="card number"):
        remittance_pay(actor=manager_a, payment=payment, bank_reference="4111_1111_1111_1111")
    assert not Remittance.objects.exists()
