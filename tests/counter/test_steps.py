"""Steps that move money with them: a cancellation with its refund, a delivery
with its cash on delivery. Both are recorded, or neither is."""

from dataclasses import replace
from decimal import Decimal

import pytest

from counter.models import Payment
from counter.registration import register_at_counter
from counter.selectors import payment_state
from counter.services import Conflict, Tender, payment_record
from counter.steps import cancel_with_refund, hand_over_with_cod
from counter.tills import till_close, till_expected, till_open
from handover.codes import code_matches
from handover.models import CollectionCode, Proof
from handover.rules import ProofInput
from shipments.exceptions import IllegalTransition, ShipmentError
from shipments.models import Charge, TrackingEvent
from shipments.services import package_record_event
from tests.factories import clerk_at, party
from tests.handover.images import png

from .conftest import at_destination, card, cash, parcel


@pytest.fixture(autouse=True)
def proof_folder(tmp_path, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "proofs": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}},
    }
    return tmp_path


@pytest.fixture
def clerk_c(office_c):
    return clerk_at(office_c, username="clerk_c")


def proof(signature: bytes | None = None) -> ProofInput:
    return ProofInput(
        received_by="Rita Receiver", relationship="addressee", signature_png=png() if signature is None else signature
    )


def nothing_recorded(package, status="created") -> None:
    package.refresh_from_db()
    assert package.status == status
    assert not TrackingEvent.objects.filter(package=package, status__in=["cancelled", "delivered"]).exists()
    assert not Payment.objects.filter(package=package, kind__in=["refund", "cod"]).exists()


# --- the cancellation and its refund ------------------------------------------------------


def test_a_cash_refund_comes_out_of_the_clerks_till(register, till_a, clerk_a, office_a):
    package = register(cash("50.00"))
    event, refund = cancel_with_refund(package=package, actor=clerk_a, tender=Tender(method="cash"), office=office_a)
    package.refresh_from_db()
    assert (package.status, event.status, event.recorded_by) == ("cancelled", "cancelled", clerk_a)
    assert (refund.kind, refund.method, refund.amount, refund.till) == ("refund", "cash", -package.cost_total, till_a)
    assert till_expected(till_a) == Decimal("100.00")  # the float: the price came in and went out again
    assert payment_state(package).paid == Decimal("0.00")
    assert payment_state(package).label == "Paid back (cash)"  # not "Unpaid": a cancelled parcel owes nothing
    assert Charge.objects.filter(package=package, kind="refund").count() == 1


def test_a_card_refund_records_its_reference(register, clerk_a):
    package = register(card())
    with pytest.raises(ShipmentError, match="Enter the refund's reference"):
        cancel_with_refund(package=package, actor=clerk_a, tender=Tender(method="card"))
    nothing_recorded(package)
    _, refund = cancel_with_refund(package=package, actor=clerk_a, tender=Tender(method="card", reference="RF-9"))
    assert (refund.method, refund.reference, refund.amount, refund.till) == (
        "card",
        "RF-9",
        -package.cost_total,
        None,
    )
    assert payment_state(package).label == "Paid back (card)"


def test_without_an_open_till_a_cash_refund_cancels_nothing(register, clerk_a, till_a):
    package = register(cash("50.00"))
    till_close(actor=clerk_a, till=till_a, counted=till_expected(till_a))
    with pytest.raises(Conflict, match="Open a till at AAA01") as caught:
        cancel_with_refund(package=package, actor=clerk_a, tender=Tender(method="cash"))
    assert caught.value.details == {"method": "Cash needs your open till."}
    assert package.status == "created"  # the caller's object too, not only the rows
    nothing_recorded(package)
    assert not Charge.objects.filter(package=package, kind="refund").exists()


def test_a_refund_pays_back_what_was_paid_never_more(register, clerk_a, settings):
    settings.COUNTER_UNPAID_ALLOWED = True
    package = register(None)
    with pytest.raises(ShipmentError, match="nothing is paid back"):
        cancel_with_refund(package=package, actor=clerk_a, tender=Tender(method="card", reference="RF-1"))
    nothing_recorded(package)
    payment_record(package=package, actor=clerk_a, kind="payment", tender=card(), amount="5.00")
    _, refund = cancel_with_refund(package=package, actor=clerk_a, tender=Tender(method="card", reference="RF-1"))
    assert refund.amount == Decimal("-5.00")
    assert payment_state(package).paid == Decimal("0.00")
    with pytest.raises(ShipmentError, match="Only 0.00 was paid"):
        payment_record(package=package, actor=clerk_a, kind="refund", tender=card(reference="RF-2"), amount="1.00")


def test_a_cancellation_the_journey_refuses_pays_nothing_back(register, till_a, clerk_a, office_a):
    package = register(cash("50.00"), accept=True)
    with pytest.raises(IllegalTransition):
        cancel_with_refund(package=package, actor=clerk_a, tender=Tender(method="cash"), office=office_a)
    nothing_recorded(package, status="accepted")


# --- the delivery and its cash on delivery -------------------------------------------------


@pytest.fixture
def cod_parcel(register, cod_tariff, office_c):
    """Paid by card at A, 25.00 to collect from its receiver, out for delivery at C."""
    return at_destination(register(card(), cod_amount="25.00"), office_c)


@pytest.fixture
def register_at(cod_tariff, office_a, office_c, clerk_a):
    """register_at(**facts): a COD parcel from A, paid by card, ready for pickup at C; its receiver gets SMS."""

    def make(**facts):
        package = register_at_counter(
            actor=clerk_a,
            payment=card(),
            cod_amount=Decimal("25.00"),
            parcel=parcel(office_a, office_c),
            sender=party("Sam Sender"),
            receiver=party("Rita Receiver", notify_sms=True),
            **facts,
        )
        return at_destination(package, office_c, status="ready_for_pickup")

    return make


def test_the_cod_is_collected_in_cash_with_the_delivery(cod_parcel, clerk_c, office_c):
    till = till_open(actor=clerk_c, office=office_c, opening_float="10.00")
    handed, collected = hand_over_with_cod(package=cod_parcel, proof=proof(), actor=clerk_c, cod=cash("30.00"))
    cod_parcel.refresh_from_db()
    assert (cod_parcel.status, handed.received_by) == ("delivered", "Rita Receiver")
    assert (collected.kind, collected.amount, collected.change, collected.till) == (
        "cod",
        Decimal("25.00"),
        Decimal("5.00"),
        till,
    )
    assert till_expected(till) == Decimal("35.00")
    assert payment_state(cod_parcel).cod_collected


def test_the_cod_is_collected_by_card(cod_parcel, clerk_c):
    _, collected = hand_over_with_cod(
        package=cod_parcel, proof=proof(), actor=clerk_c, cod=card(last4="1881", reference="COD-AUTH")
    )
    assert (collected.method, collected.reference, collected.card_last4) == ("card", "COD-AUTH", "1881")


def test_delivering_without_the_cod_names_the_amount(cod_parcel, clerk_c, office_c):
    till_open(actor=clerk_c, office=office_c, opening_float="0")
    with pytest.raises(ShipmentError, match="Collect the cash on delivery of 25.00 USD") as caught:
        hand_over_with_cod(package=cod_parcel, proof=proof(), actor=clerk_c, cod=None)
    assert list(caught.value.details) == ["method"]
    with pytest.raises(ShipmentError, match="less than 25.00") as caught:
        hand_over_with_cod(package=cod_parcel, proof=proof(), actor=clerk_c, cod=cash("20.00"))
    assert list(caught.value.details) == ["amount_tendered"]
    with pytest.raises(ShipmentError, match="Collect the cash on delivery of 25.00 USD"):
        hand_over_with_cod(package=cod_parcel, proof=proof(), actor=clerk_c, cod=Tender("prepaid", reference="P"))
    nothing_recorded(cod_parcel, status="out_for_delivery")


def test_without_an_open_till_cash_is_refused_naming_the_till(cod_parcel, clerk_c):
    with pytest.raises(Conflict, match="Open a till at CCC01"):
        hand_over_with_cod(package=cod_parcel, proof=proof(), actor=clerk_c, cod=cash("30.00"))
    nothing_recorded(cod_parcel, status="out_for_delivery")
    assert not Proof.objects.exists()


def test_a_refused_handover_leaves_no_cod_payment(cod_parcel, clerk_c, office_c, settings, tmp_path):
    till_open(actor=clerk_c, office=office_c, opening_float="0")
    with pytest.raises(ShipmentError, match="signs"):
        hand_over_with_cod(package=cod_parcel, proof=proof(signature=b""), actor=clerk_c, cod=cash("30.00"))
    nothing_recorded(cod_parcel, status="out_for_delivery")
    # Refused after the money was taken: the signature cannot be stored (the proofs' folder is a file).
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")
    settings.STORAGES = {
        **settings.STORAGES,
        "proofs": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": blocked}},
    }
    with pytest.raises(OSError, match="not-a-folder"):
        hand_over_with_cod(package=cod_parcel, proof=proof(), actor=clerk_c, cod=cash("30.00"))
    assert cod_parcel.status == "out_for_delivery"  # the caller's object too, not only the rows
    nothing_recorded(cod_parcel, status="out_for_delivery")


def test_a_collected_cod_is_not_asked_again(cod_parcel, clerk_c):
    payment_record(package=cod_parcel, actor=clerk_c, kind="cod", tender=card(reference="COD-1"))
    handed, collected = hand_over_with_cod(package=cod_parcel, proof=proof(), actor=clerk_c, cod=None)
    assert collected is None
    assert handed.status == "delivered"
    assert Payment.objects.filter(package=cod_parcel, kind="cod").count() == 1


def test_a_wrong_collection_code_still_counts_and_collects_nothing(register_at, clerk_c, office_c):
    package = register_at(collection_code_requested=True)
    till_open(actor=clerk_c, office=office_c, opening_float="0")
    code = CollectionCode.objects.get(package=package, state="active")
    wrong = next(guess for guess in ("000000", "111111") if not code_matches(guess, code.code_hash))
    with pytest.raises(ShipmentError, match="Wrong code; 4 more tries."):
        hand_over_with_cod(
            package=package, proof=replace(proof(), collection_code=wrong), actor=clerk_c, cod=cash("30.00")
        )
    assert CollectionCode.objects.get(pk=code.pk).failed_attempts == 1
    nothing_recorded(package, status="ready_for_pickup")


@pytest.mark.parametrize("paid_by", ["card", "prepaid"])
def test_a_price_paid_otherwise_is_never_paid_back_in_cash(register, clerk_a, till_a, paid_by):
    """No cash out of the till for a price that brought none in."""
    package = register(card() if paid_by == "card" else Tender(method="prepaid", reference="PP-1"))
    with pytest.raises(
        ShipmentError, match=f"Pay back the way it was paid: {package.cost_total} by {paid_by}"
    ) as caught:
        cancel_with_refund(package=package, actor=clerk_a, tender=Tender(method="cash"))
    assert "method" in caught.value.details
    assert till_expected(till_a) == Decimal("100.00")
    nothing_recorded(package)


def test_a_refund_is_paid_back_where_the_price_was_taken(register, clerk_a, office_c, till_a):
    package = register(cash("50.00"))
    clerk_c = clerk_at(office_c, username="clerk_c_refunds")
    till_open(actor=clerk_c, office=office_c, opening_float="100.00")
    with pytest.raises(ShipmentError, match="The money was taken at AAA01: it is given back there"):
        cancel_with_refund(package=package, actor=clerk_c, tender=Tender(method="cash"), office=office_c)
    nothing_recorded(package)


def test_a_parcel_cancelled_without_its_refund_says_what_is_owed(register, clerk_a, till_a):
    """Cancelled by a scan or the API (two calls): the package says what is still to pay back."""
    package = register(cash("50.00"))
    package_record_event(package=package, status="cancelled", actor=clerk_a)
    assert payment_state(package).label == f"Cancelled: {package.cost_total} USD to pay back"
    payment_record(package=package, actor=clerk_a, kind="refund", tender=Tender(method="cash"))
    assert payment_state(package).label == "Paid back (cash)"
    unpaid = register(None)
    package_record_event(package=unpaid, status="cancelled", actor=clerk_a)
    assert payment_state(unpaid).label == "Cancelled: nothing was paid"


def test_a_refund_comes_out_of_what_that_office_took_in_that_method(register, clerk_a, office_a, office_b):
    """Half paid in cash at A, the rest by card at B: B's till gives back no cash, A's does."""
    package = register(None)
    half = (package.cost_total / 2).quantize(Decimal("0.01"))
    rest = package.cost_total - half
    till_open(actor=clerk_a, office=office_a, opening_float="10.00")
    payment_record(package=package, actor=clerk_a, kind="payment", tender=cash("50.00"), amount=half, office=office_a)
    clerk_b = clerk_at(office_b, username="clerk_b_refunds")
    till_open(actor=clerk_b, office=office_b, opening_float="10.00")
    payment_record(package=package, actor=clerk_b, kind="payment", tender=card(), amount=rest, office=office_b)
    package_record_event(package=package, status="cancelled", actor=clerk_a)

    def refund(actor, office, tender, amount):
        return payment_record(package=package, actor=actor, kind="refund", tender=tender, amount=amount, office=office)

    with pytest.raises(
        ShipmentError, match="Only 0.00 was paid by cash at BBB01: pay back at most that here"
    ) as caught:
        refund(clerk_b, office_b, Tender(method="cash"), half)
    assert caught.value.details == {"amount": "More than BBB01 took by cash."}
    assert refund(clerk_b, office_b, Tender(method="card", reference="RF-B"), rest).amount == -rest
    assert refund(clerk_a, office_a, Tender(method="cash"), half).amount == -half
    assert payment_state(package).paid == Decimal("0.00")
