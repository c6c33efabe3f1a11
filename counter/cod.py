"""Cash on delivery: the fee charged at registration, and the pay-out of what
was collected to the sender (the remittance list of the origin office)."""

from datetime import datetime
from decimal import Decimal

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from offices import access
from offices.models import Office
from shipments.exceptions import OfficeNotAllowed, ShipmentError
from shipments.models import Charge, Package
from shipments.rules import Problem, refuse
from shipments.statuses import Status

from .models import Payment, Remittance
from .rules import looks_like_card_number
from .services import Conflict

ZERO = Decimal("0.00")


def _fee_charge(package: Package, kind: str, total: Decimal, charged_at: datetime) -> Charge:
    """A COD fee as a charge of its own kind: counted in the cost reports like the price."""
    return Charge.objects.create(
        package=package,
        kind=kind,
        office_id=package.origin_office_id,
        destination_office_id=package.destination_office_id,
        service=package.service,
        base=ZERO,
        weight=ZERO,
        distance=ZERO,
        insurance=ZERO,
        surcharges=total,
        tax=ZERO,
        total=total,
        currency=package.cost_currency,
        charged_at=charged_at,
    )


def charge_cod_fee(package: Package, fee: Decimal) -> Charge:
    return _fee_charge(package, Charge.Kind.COD_FEE, fee, package.created_at)


def refund_cod_fee(package: Package) -> None:
    """A cancelled COD parcel gets its fee back too (a negative charge, once)."""
    fee = Charge.objects.filter(package=package, kind=Charge.Kind.COD_FEE).values_list("total", flat=True).first()
    if fee and not Charge.objects.filter(package=package, kind=Charge.Kind.COD_FEE_REFUND).exists():
        _fee_charge(package, Charge.Kind.COD_FEE_REFUND, -fee, timezone.now())


# A COD given back to its receiver (a later cod_return of the same package) is not the sender's.
_given_back = Exists(
    Payment.objects.filter(package_id=OuterRef("package_id"), kind=Payment.Kind.COD_RETURN, pk__gt=OuterRef("pk"))
)


def remittances_due(office: Office | None) -> QuerySet[Payment]:
    """COD collected for the senders of ``office`` (None: every office) from
    receivers who took their parcel, and not paid out yet."""
    payments = Payment.objects.filter(
        kind=Payment.Kind.COD, remittance__isnull=True, package__status=Status.DELIVERED
    ).exclude(_given_back)
    if office is not None:
        payments = payments.filter(package__origin_office=office)
    return payments.select_related("package", "package__origin_office", "office", "remittance").order_by(
        "recorded_at", "id"
    )


@transaction.atomic
def remittance_pay(*, actor: User, payment: Payment, bank_reference: str) -> Remittance:
    """Pay a collected COD amount out to its sender: a manager of the origin office, or HQ."""
    locked = Payment.objects.select_for_update(of=("self",)).select_related("package__origin_office").get(pk=payment.pk)
    office = locked.package.origin_office
    if not access.may_manage(actor, office):
        raise OfficeNotAllowed(f"COD pay-outs of {office.code} are for its managers and HQ.")
    if locked.kind != Payment.Kind.COD:
        raise ShipmentError("Only a COD collection is paid out.", details={"payment": "Not a COD collection."})
    if Payment.objects.filter(pk=locked.pk).filter(_given_back).exists():
        raise Conflict(
            f"This COD of {locked.package.tracking_number} was given back to its receiver.", code="given_back"
        )
    if locked.package.status != Status.DELIVERED:
        raise Conflict(
            f"{locked.package.tracking_number} is not delivered: its COD is paid out once the receiver has the parcel.",
            code="not_delivered",
        )
    reference = bank_reference.strip()
    problems = []
    if not reference:
        problems.append(Problem("bank_reference", "Required.", "Enter the bank transfer's reference."))
    elif len(reference) > 100 or "\x00" in reference:
        problems.append(Problem("bank_reference", "At most 100 characters, and no NUL."))
    elif looks_like_card_number(reference):
        problems.append(Problem("bank_reference", "That looks like a card number: never type it."))
    refuse(problems)
    if Remittance.objects.filter(payment=locked).exists():
        raise Conflict(f"The COD of {locked.package.tracking_number} is paid out already.", code="paid_out")
    return Remittance.objects.create(
        payment=locked,
        office=office,
        amount=locked.amount,
        currency=locked.currency,
        bank_reference=reference,
        paid_at=timezone.now(),
        paid_by=actor,
    )
