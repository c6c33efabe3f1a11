"""Reads of the counter's money: tills and payments scoped by offices.access,
what a package's money reads as ("Paid (cash)"), and the guard of the steps
that need it paid (``shipments.guards``)."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import DecimalField, OuterRef, QuerySet, Subquery, Sum

from offices import access
from offices.access import Person
from offices.models import Office
from shipments.models import Package
from shipments.rules import Problem
from shipments.statuses import Status

from .models import Method, PackageAccount, Payment, Till
from .rules import COD_COLLECTABLE, COD_KINDS, ZERO, cod_collected, settled, settled_by_method


def tills_visible(user: Person, *, state: str = "") -> QuerySet[Till]:
    """The tills the user may see (their own; a manager's offices'; HQ all), ``state`` open or closed."""
    tills = access.restrict(Till.objects.select_related("office", "clerk"), user, "view")
    if state == "open":
        tills = tills.filter(closed_at__isnull=True)
    elif state == "closed":
        tills = tills.filter(closed_at__isnull=False)
    return tills


def payments_of(package_id: int) -> QuerySet[Payment]:
    return Payment.objects.filter(package_id=package_id).select_related("office", "clerk").order_by("recorded_at", "id")


@dataclass(frozen=True, slots=True)
class PaymentState:
    """A package's money as a clerk reads it: "Paid (cash)", "Unpaid: 12.40 USD due"."""

    due: Decimal
    paid: Decimal
    currency: str
    method: str
    cod_amount: Decimal
    cod_collected: bool
    cod_fee: Decimal = ZERO
    refund_method: str = ""
    cancelled: bool = False
    # What was paid, net, in each method that holds some: {"cash": 3.96, "card": 3.96}.
    paid_by: dict[str, Decimal] = field(default_factory=dict)

    @property
    def paid_in_one_way(self) -> bool:
        return len(self.paid_by) <= 1

    @property
    def label(self) -> str:
        if self.cancelled and self.paid > 0:  # cancelled (by a scan, the API, an import) and not paid back yet
            return f"Cancelled: {self.paid} {self.currency} to pay back"
        if self.cancelled and self.refund_method:
            return f"Paid back ({Method(self.refund_method).label.lower()})"
        if self.cancelled:
            return "Cancelled: nothing was paid"
        if self.paid >= self.due:
            return f"Paid ({Method(self.method).label.lower()})" if self.method else "Paid"
        if self.paid > 0:
            return f"Part paid: {self.due - self.paid} {self.currency} due"
        return f"Unpaid: {self.due} {self.currency} due"


def payment_state(package: Package) -> PaymentState | None:
    """The package's money, or None for a package outside the counter's rules."""
    account = PackageAccount.objects.filter(package_id=package.pk).first()
    if account is None:
        return None
    rows = list(Payment.objects.filter(package_id=package.pk).values("kind", "amount", "method"))
    method = next((row["method"] for row in rows if row["kind"] == Payment.Kind.PAYMENT), "")
    refund_method = next((row["method"] for row in reversed(rows) if row["kind"] == Payment.Kind.REFUND), "")
    return PaymentState(
        due=account.due,
        paid=settled(rows),
        currency=account.currency,
        method=method,
        cod_amount=account.cod_amount,
        cod_collected=cod_collected(rows) > 0,
        cod_fee=account.cod_fee,
        refund_method=refund_method,
        cancelled=package.status == Status.CANCELLED,
        paid_by={way: total for way, total in settled_by_method(rows).items() if total > 0},
    )


# Steps a parcel holding its receiver's COD may take: handed over, or delayed (it moves nothing).
_WHILE_COD_HELD = frozenset({Status.DELIVERED, Status.DELAYED})


def step_guard(package: Package, status: str, office: Office | None) -> list[Problem]:
    """``shipments.guards``: an unpaid parcel is not accepted, a COD parcel not
    delivered before its amount is collected (the message names it), nor
    taken anywhere else while the COD collected from its receiver is held."""
    may_hold_cod = package.status in COD_COLLECTABLE and status not in _WHILE_COD_HELD
    if status not in (Status.ACCEPTED, Status.DELIVERED) and not may_hold_cod:
        return []  # no query for the steps the counter has nothing to say about
    # One query (a step of every parcel asks): the account with what was paid and the COD held.
    payments = Payment.objects.filter(package_id=OuterRef("package_id")).order_by().values("package_id")
    row = (
        PackageAccount.objects.filter(package_id=package.pk)
        .annotate(
            paid=Subquery(
                payments.exclude(kind__in=COD_KINDS).annotate(total=Sum("amount")).values("total"),
                output_field=DecimalField(),
            ),
            held=Subquery(
                payments.filter(kind__in=COD_KINDS).annotate(total=Sum("amount")).values("total"),
                output_field=DecimalField(),
            ),
        )
        .values("due", "currency", "cod_amount", "paid", "held")
        .first()
    )
    if row is None:
        return []
    paid, held, currency = row["paid"] or ZERO, row["held"] or ZERO, row["currency"]
    if status == Status.ACCEPTED and paid < row["due"]:
        owed = row["due"] - paid
        return [Problem("payment", "Unpaid.", f"Take the payment of {owed} {currency} before accepting.", "unpaid")]
    cod_amount = row["cod_amount"]
    if status == Status.DELIVERED and cod_amount > 0 and held <= 0:
        sentence = f"Collect the cash on delivery of {cod_amount} {currency} before delivering."
        return [Problem("payment", f"COD of {cod_amount} {currency} not collected.", sentence, "cod_due")]
    if status not in _WHILE_COD_HELD and held > 0:
        sentence = f"Give the {held} {currency} collected on delivery back to the receiver first."
        return [Problem("payment", f"COD of {held} {currency} held.", sentence, "cod_held")]
    return []
