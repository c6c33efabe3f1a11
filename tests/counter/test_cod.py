"""Cash on delivery: asked at registration (tariff currency, the office's limit,
the tariff's fee as a charge), collected before delivery, paid out to the sender."""

from decimal import Decimal

import pytest

from counter.cod import remittance_pay, remittances_due
from counter.models import Payment
from counter.selectors import payment_state
from counter.services import Conflict, Tender, payment_record
from counter.tills import till_expected, till_open
from shipments.exceptions import IllegalTransition, OfficeNotAllowed, ShipmentError
from shipments.models import Charge
from shipments.services import package_record_event
from tests.factories import clerk_at

from .conftest import at_destination, card, cash, hand_over


@pytest.fixture
def clerk_c(office_c):
    return clerk_at(office_c, username="clerk_c")


def test_the_cod_fee_is_charged_and_paid_with_the_price(register, cod_tariff):
    package = register(card(), cod_amount="25.00")
    fee = Charge.objects.get(package=package, kind="cod_fee")
    assert fee.total == Decimal("2.50")
    state = payment_state(package)
    assert (state.due, state.cod_amount, state.label) == (
        package.cost_total + Decimal("2.50"),
        Decimal("25.00"),
        "Paid (card)",
    )


@pytest.mark.parametrize("amount", ["-1", "1e30", "10.001", "5000.00"])
def test_a_cod_amount_out_of_bounds_names_the_field(register, cod_tariff, amount):
    with pytest.raises(ShipmentError) as caught:
        register(card(), cod_amount=amount)
    assert "cod_amount" in caught.value.details


def test_delivery_waits_for_the_cod_collection_naming_the_amount(register, cod_tariff, office_c, clerk_c):
    package = at_destination(register(card(), cod_amount="25.00"), office_c)
    with pytest.raises(IllegalTransition, match="Collect the cash on delivery of 25.00 USD"):
        hand_over(package, clerk_c)
    with pytest.raises(Conflict, match="Open a till at CCC01"):
        payment_record(package=package, actor=clerk_c, kind="cod", tender=cash("30.00"))
    till = till_open(actor=clerk_c, office=office_c, opening_float="0")
    with pytest.raises(ShipmentError, match="Collect exactly 25.00 USD"):
        payment_record(package=package, actor=clerk_c, kind="cod", tender=cash("30.00"), amount="20.00")
    collected = payment_record(package=package, actor=clerk_c, kind="cod", tender=cash("30.00"))
    assert (collected.amount, collected.change, collected.till) == (Decimal("25.00"), Decimal("5.00"), till)
    hand_over(package, clerk_c)
    with pytest.raises(ShipmentError, match="collected already"):
        payment_record(package=package, actor=clerk_c, kind="cod", tender=card())


def test_a_cod_parcel_going_back_collects_nothing(register, cod_tariff, office_c, clerk_c):
    package = at_destination(register(card(), cod_amount="25.00"), office_c, status="arrived")
    # The receiver refuses it: it turns back to its sender (issue 22's return) and collects nothing.
    package_record_event(package=package, status="return_started", office=office_c, reason="refused")
    with pytest.raises(ShipmentError, match="going back to its sender collects nothing"):
        payment_record(package=package, actor=clerk_c, kind="cod", tender=card())
    # Nor once it has come back into the destination office on its way back.
    package_record_event(package=package, status="in_transit")
    package_record_event(package=package, status="arrived", office=office_c)
    package.refresh_from_db()
    assert (package.returning, package.status, package.current_office) == (True, "arrived", office_c)
    with pytest.raises(ShipmentError, match="going back to its sender collects nothing"):
        payment_record(package=package, actor=clerk_c, kind="cod", tender=card())
    assert not Payment.objects.filter(kind="cod").exists()


def test_cod_is_paid_by_cash_or_card_never_prepaid(register, cod_tariff, office_c, clerk_c):
    package = at_destination(register(card(), cod_amount="25.00"), office_c)
    with pytest.raises(ShipmentError, match="by cash or by card") as caught:
        payment_record(package=package, actor=clerk_c, kind="cod", tender=Tender(method="prepaid", reference="X"))
    assert "method" in caught.value.details
    assert not Payment.objects.filter(kind="cod").exists()


def test_a_cod_collected_from_a_receiver_who_then_refuses_is_given_back_first(
    register, cod_tariff, office_a, office_c, clerk_c
):
    package = at_destination(register(card(), cod_amount="25.00"), office_c)
    till = till_open(actor=clerk_c, office=office_c, opening_float="0.00")
    payment_record(package=package, actor=clerk_c, kind="cod", tender=cash("30.00"))
    # The receiver paid, then refused the parcel: the refusal waits for the money to go back.
    with pytest.raises(IllegalTransition, match="Give the 25.00 USD collected on delivery back to the receiver first"):
        package_record_event(package=package, status="delivery_failed", office=office_c, reason="refused")
    with pytest.raises(ShipmentError, match="Give it back by cash"):
        payment_record(package=package, actor=clerk_c, kind="cod_return", tender=card(reference="R-1"))
    given_back = payment_record(package=package, actor=clerk_c, kind="cod_return", tender=Tender(method="cash"))
    assert (given_back.amount, given_back.till, given_back.change) == (Decimal("-25.00"), till, None)
    assert till_expected(till) == Decimal("0.00")
    assert payment_state(package).cod_collected is False
    package_record_event(package=package, status="delivery_failed", office=office_c, reason="refused")
    package.refresh_from_db()
    assert package.returning
    assert list(remittances_due(office_a)) == []  # the sender is owed nothing
    with pytest.raises(ShipmentError, match="No cash on delivery of this parcel is held"):
        payment_record(package=package, actor=clerk_c, kind="cod_return", tender=Tender(method="cash"))


def test_a_cancelled_cod_parcel_gets_its_fee_back(register, cod_tariff, clerk_a):
    package = register(card(), cod_amount="25.00")
    package_record_event(package=package, status="cancelled", actor=clerk_a)
    assert Charge.objects.get(package=package, kind="cod_refund").total == Decimal("-2.50")


def test_collected_cod_is_paid_out_to_the_sender_once(
    register, cod_tariff, office_a, office_c, clerk_a, clerk_c, manager_a
):
    package = at_destination(register(card(), cod_amount="25.00"), office_c)
    collected = payment_record(package=package, actor=clerk_c, kind="cod", tender=card(reference="COD-7"))
    assert list(remittances_due(office_a)) == []  # the receiver has not taken the parcel yet
    with pytest.raises(Conflict, match="is not delivered"):
        remittance_pay(actor=manager_a, payment=collected, bank_reference="BANK-0")
    hand_over(package, clerk_c)
    assert list(remittances_due(office_a)) == [collected]
    with pytest.raises(ShipmentError, match="The receiver took the parcel"):
        payment_record(package=package, actor=clerk_c, kind="cod_return", tender=card(reference="R-1"))
    with pytest.raises(OfficeNotAllowed):
        remittance_pay(actor=clerk_a, payment=collected, bank_reference="BANK-1")
    with pytest.raises(ShipmentError, match="card number"):
        remittance_pay(actor=manager_a, payment=collected, bank_reference="4111 1111 1111 1111")
    remittance = remittance_pay(actor=manager_a, payment=collected, bank_reference="BANK-1")
    assert (remittance.amount, remittance.bank_reference) == (Decimal("25.00"), "BANK-1")
    assert list(remittances_due(office_a)) == []
    with pytest.raises(Conflict, match="paid out already"):
        remittance_pay(actor=manager_a, payment=collected, bank_reference="BANK-2")


def test_a_cod_given_back_and_collected_again_is_paid_out_once(
    register, cod_tariff, office_a, office_c, clerk_c, manager_a
):
    package = at_destination(register(card(), cod_amount="25.00"), office_c)
    first = payment_record(package=package, actor=clerk_c, kind="cod", tender=card(reference="COD-1"))
    payment_record(package=package, actor=clerk_c, kind="cod_return", tender=card(reference="BACK-1"))
    second = payment_record(package=package, actor=clerk_c, kind="cod", tender=card(reference="COD-2"))
    hand_over(package, clerk_c)
    assert list(remittances_due(office_a)) == [second]  # the receiver paid 25.00 once, net
    with pytest.raises(Conflict, match="was given back to its receiver"):
        remittance_pay(actor=manager_a, payment=first, bank_reference="BANK-1")
    assert remittance_pay(actor=manager_a, payment=second, bank_reference="BANK-2").amount == Decimal("25.00")


def test_a_parcel_holding_its_receivers_cod_takes_no_step_but_its_handover(register, cod_tariff, office_c, clerk_c):
    package = at_destination(register(card(), cod_amount="25.00"), office_c)
    payment_record(package=package, actor=clerk_c, kind="cod", tender=card(reference="COD-1"))
    package_record_event(package=package, status="delayed", office=office_c, reason="weather")  # moves nothing
    for status, reason in (("lost", "damaged"), ("in_transit", "")):  # what a delayed parcel may otherwise become
        with pytest.raises(IllegalTransition, match="back to the receiver first"):
            package_record_event(package=package, status=status, office=office_c, reason=reason)
    hand_over(package, clerk_c)
    package.refresh_from_db()
    assert package.status == "delivered"


def test_a_parcel_only_arrived_at_its_destination_collects_no_cod_yet(register, cod_tariff, office_c, clerk_c):
    package = at_destination(register(card(), cod_amount="25.00"), office_c, status="arrived")
    with pytest.raises(ShipmentError, match="Only a parcel at its destination collects COD"):
        payment_record(package=package, actor=clerk_c, kind="cod", tender=card(reference="COD-1"))
