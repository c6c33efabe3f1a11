"""The counter's money: a clerk with an open till at office A, and a way to register paid parcels."""

from decimal import Decimal

import pytest

from counter.registration import register_at_counter
from counter.services import Tender
from counter.tills import till_open
from shipments.models import Service
from shipments.values import Parcel
from tests.factories import party


@pytest.fixture
def till_a(clerk_a, office_a):
    return till_open(actor=clerk_a, office=office_a, opening_float=Decimal("100.00"))


def parcel(origin, destination, **facts) -> Parcel:
    values = {
        "origin_office": origin,
        "destination_office": destination,
        "service": Service.STANDARD,
        "weight_grams": 1000,
        "length_cm": 10,
        "width_cm": 10,
        "height_cm": 10,
        "declared_value": Decimal("0"),
        "currency": None,
    } | facts
    return Parcel(**values)


@pytest.fixture
def register(tariff, office_a, office_c, clerk_a):
    """register(payment=Tender(...), **overrides): a parcel from A to C registered by clerk_a."""

    def make(payment=None, *, actor=clerk_a, origin=office_a, destination=office_c, cod_amount="0", accept=False):
        return register_at_counter(
            actor=actor,
            payment=payment,
            cod_amount=Decimal(cod_amount),
            accept=accept,
            parcel=parcel(origin, destination),
            sender=party("Sam Sender"),
            receiver=party("Rita Receiver"),
        )

    return make


def cash(tendered="100.00") -> Tender:
    return Tender(method="cash", amount_tendered=Decimal(tendered))


def card(last4="4242", reference="AUTH123") -> Tender:
    return Tender(method="card", reference=reference, card_last4=last4)


@pytest.fixture
def cod_tariff(tariff):
    tariff.cod_fee = Decimal("2.50")
    tariff.save()
    return tariff


def counter_package(origin, destination, actor, *, payment=None, cod_amount="0"):
    """A parcel registered at the counter (unpaid unless ``payment``: the test settings allow it)."""
    return register_at_counter(
        actor=actor,
        payment=payment,
        cod_amount=Decimal(cod_amount),
        parcel=parcel(origin, destination),
        sender=party("Sam Sender"),
        receiver=party("Rita Receiver"),
    )


def at_destination(package, destination, status="out_for_delivery"):
    """Move ``package`` (paid) from its origin to ``destination`` and on to ``status``, as the system."""
    from shipments.services import package_record_event

    for step, office in (("accepted", package.origin_office), ("in_transit", None), ("arrived", destination)):
        package_record_event(package=package, status=step, office=office)
    if status != "arrived":
        package_record_event(package=package, status=status, office=destination)
    package.refresh_from_db()
    return package


def cod_collected(origin, destination, collector):
    """A COD parcel from ``origin``, paid by card, its money collected by card at ``destination`` and delivered."""
    from counter.services import payment_record

    package = counter_package(origin, destination, collector, payment=card(), cod_amount="25.00")
    at_destination(package, destination)
    payment = payment_record(
        package=package, actor=collector, kind="cod", tender=card(reference="COD-1"), office=destination
    )
    hand_over(package, collector)
    return payment


def hand_over(package, actor=None):
    """Deliver ``package`` with a proof (issue 22's handover: a name and a signature)."""
    from handover.rules import ProofInput
    from handover.services import package_hand_over
    from tests.handover.images import png

    proof = ProofInput(received_by="Rita Receiver", relationship="addressee", signature_png=png())
    return package_hand_over(package=package, proof=proof, actor=actor)
