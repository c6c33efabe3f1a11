"""Steps of a parcel's journey that move money in the same transaction: a
cancellation with the refund of what its sender paid (the confirmation page),
a delivery with its cash on delivery (the delivery page). Either both are
recorded or neither is."""

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

from django.contrib.auth.models import User
from django.db import transaction

from handover.models import Proof
from handover.rules import ProofInput
from handover.services import package_hand_over
from offices.models import Office
from shipments.exceptions import ShipmentError
from shipments.models import Package, TrackingEvent
from shipments.rules import refuse
from shipments.services import package_record_event
from shipments.statuses import Status

from .models import Payment
from .rules import COD_METHODS, tender_problems
from .selectors import payment_state
from .services import Tender, payment_record


@contextmanager
def _as_it_was_when_refused(package: Package) -> Iterator[None]:
    """``package_record_event`` writes the step onto the caller's package too: when
    a refusal after it rolls the rows back, the object is read again (after the rollback)."""
    try:
        yield
    except Exception:
        package.refresh_from_db()
        raise


def cancel_with_refund(
    *,
    package: Package,
    actor: User,
    tender: Tender,
    office: Office | None = None,
    reason: str = "",
    note: str = "",
    source: str = TrackingEvent.Source.COUNTER,
) -> tuple[TrackingEvent, Payment]:
    """Cancel ``package`` and pay back everything its sender paid, by
    ``tender`` (cash out of the clerk's open till, a card refund's reference).
    A refund refused (no open till for cash, no reference) cancels nothing."""
    state = payment_state(package)
    if state is None or state.paid <= 0:
        raise ShipmentError(
            f"Nothing was paid for {package.tracking_number}, so nothing is paid back.",
            code="nothing_paid",
            details={"method": "Nothing to pay back."},
        )
    with _as_it_was_when_refused(package), transaction.atomic():
        event = package_record_event(
            package=package,
            status=Status.CANCELLED,
            office=office,
            actor=actor,
            source=source,
            reason=reason,
            note=note,
        )
        # Without an amount the refund is what was paid, read under the package's lock: never more.
        refund = payment_record(package=package, actor=actor, kind=Payment.Kind.REFUND, tender=tender, office=office)
    return event, refund


def cod_to_collect(package: Package) -> tuple[Decimal, str] | None:
    """The amount and currency the receiver of ``package`` still pays on delivery, or None."""
    state = payment_state(package)
    if state is None or state.cod_amount <= 0 or state.cod_collected:
        return None
    return state.cod_amount, state.currency


def hand_over_with_cod(
    *,
    package: Package,
    proof: ProofInput,
    actor: User,
    cod: Tender | None,
    status: str = Status.DELIVERED,
    office: Office | None = None,
    source: str = TrackingEvent.Source.COUNTER,
    note: str = "",
) -> tuple[Proof, Payment | None]:
    """``handover.services.package_hand_over`` that collects the cash on
    delivery still owed (``cod``: cash into the clerk's open till, or card) in
    the handover's transaction. The money's problems come first, named by the
    payment's fields (``method``, ``amount_tendered``, ``reference``, ``card_last4``)."""
    owed = cod_to_collect(package) if status == Status.DELIVERED else None
    if owed is None:
        return package_hand_over(
            package=package, proof=proof, actor=actor, status=status, office=office, source=source, note=note
        ), None
    amount, currency = owed
    if cod is None or cod.method not in COD_METHODS:
        raise ShipmentError(
            f"Collect the cash on delivery of {amount} {currency}: by cash or by card.",
            code="cod_due",
            details={"method": f"Collect {amount} {currency}: cash or card."},
        )
    refuse(
        tender_problems(
            method=cod.method,
            amount=amount,
            tendered=cod.amount_tendered,
            reference=cod.reference,
            card_last4=cod.card_last4,
        )
    )
    office = office or package.current_office
    collected: list[Payment] = []

    def collect() -> None:
        collected.append(payment_record(package=package, actor=actor, kind=Payment.Kind.COD, tender=cod, office=office))

    with _as_it_was_when_refused(package):
        handed = package_hand_over(
            package=package,
            proof=proof,
            actor=actor,
            status=status,
            office=office,
            source=source,
            note=note,
            collect=collect,
        )
    return handed, collected[0]
