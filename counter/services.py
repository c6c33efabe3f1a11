"""Every write of the counter's money: registering with a payment, recording
a payment, a refund, a COD collection or a manager's correction. Tills are
``counter.tills``, the day close ``counter.days``.

Each service checks the rules of ``counter.rules`` over plain values, then
locks in one order (the package, the office's day, the till) and inserts.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection, transaction
from django.utils import timezone

from offices import access
from offices.models import Office
from shipments.exceptions import IllegalTransition, OfficeNotAllowed, ShipmentError
from shipments.models import Package
from shipments.rules import Problem, refuse
from shipments.times import office_zone

from .models import CounterSettings, DayClose, Method, PackageAccount, Payment, Till
from .rules import (
    NOTHING_HELD,
    ZERO,
    amount_problems,
    as_amount,
    change_due,
    cod_collected,
    cod_problems,
    cod_return_problems,
    currency_problems,
    looks_like_card_number,
    payment_problems,
    payout_problems,
    settled,
    settled_by_method,
    tender_problems,
)

# The advisory lock class of an office's day (pg_advisory_xact_lock(DAY_LOCK, office id)).
DAY_LOCK = 23


class Conflict(ShipmentError):
    """Refused because of the state of something else (an open till, a closed day): 409."""

    code = "conflict"
    http_status = 409


@dataclass(frozen=True, slots=True)
class Tender:
    """How a customer pays: ``method`` and what it needs (see ``rules.tender_problems``)."""

    method: str
    amount_tendered: Any = None
    reference: str = ""
    card_last4: str = ""
    currency: str | None = None


def office_settings(office: Office) -> CounterSettings:
    """The office's counter settings, or the network's defaults (not saved)."""
    found = CounterSettings.objects.filter(office=office).first()
    return found or CounterSettings(
        office=office,
        unpaid_allowed=settings.COUNTER_UNPAID_ALLOWED,
        variance_limit=settings.COUNTER_VARIANCE_LIMIT,
        cod_limit=settings.COD_LIMIT,
    )


def office_day(office: Office, moment: datetime | None = None) -> date:
    """The office's calendar date at ``moment`` (now)."""
    return (moment or timezone.now()).astimezone(office_zone(office)).date()


def day_lock(office: Office, day: date, *, exclusive: bool = False) -> None:
    """Hold the office's day until commit (shared: a payment, a till; exclusive:
    the day close) and refuse when the day is closed already."""
    function = "pg_advisory_xact_lock" if exclusive else "pg_advisory_xact_lock_shared"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {function}(%s, %s)", [DAY_LOCK, office.pk])
    if DayClose.objects.filter(office=office, day=day).exists():
        raise Conflict(
            f"The day {day} of {office.code} is closed: nothing of it changes any more.",
            code="day_closed",
            details={"day": "Closed."},
        )


def problems_with_tender(tender: Tender, amount: Decimal, currency: str) -> list[Problem]:
    return currency_problems("currency", tender.currency, currency) + tender_problems(
        method=tender.method,
        amount=amount,
        tendered=tender.amount_tendered,
        reference=tender.reference,
        card_last4=tender.card_last4,
    )


# One statement records a payment: the clerk's open till at the office is found and
# locked (FOR UPDATE, as the cash-up locks it: a close racing the payment either
# sees it or, having closed first, leaves no open till to find) and the row is
# inserted with it. Cash without an open till inserts nothing (no_open_till).
_INSERT = """
    INSERT INTO counter_payment (
        package_id, kind, method, amount, currency, tendered, change, reference, card_last4,
        office_id, day, till_id, clerk_id, recorded_at, reason
    )
    SELECT %(package)s, %(kind)s, %(method)s, %(amount)s, %(currency)s, %(tendered)s, %(change)s,
           %(reference)s, %(card_last4)s, %(office)s, %(day)s, till.id, %(clerk)s, %(recorded_at)s, %(reason)s
    FROM (SELECT 1) AS payment
    LEFT JOIN LATERAL (
        SELECT id FROM counter_till
        WHERE clerk_id = %(clerk)s AND office_id = %(office)s AND closed_at IS NULL
        FOR UPDATE
    ) AS till ON true
    WHERE %(method)s <> 'cash' OR till.id IS NOT NULL
    RETURNING id, till_id
"""


def new_payment(
    *,
    package: Package,
    kind: str,
    tender: Tender,
    amount: Decimal,
    office: Office,
    day: date,
    clerk: User | None,
    at: datetime,
    till: Till | None = None,
) -> Payment:
    """The row of a payment (not saved): what was handed over and the change
    for cash taken only, the last four for a card only. ``insert_payment`` writes it;
    the demo's history (demo/money.py) too."""
    taking = tender.method == Method.CASH and kind in (Payment.Kind.PAYMENT, Payment.Kind.COD)
    given = as_amount(tender.amount_tendered) if taking else None
    tendered = given if isinstance(given, Decimal) else None  # checked by tender_problems
    return Payment(
        package=package,
        kind=kind,
        method=tender.method,
        amount=amount,
        currency=package.cost_currency,
        tendered=tendered,
        change=change_due(tendered, amount) if tendered is not None else None,
        reference=tender.reference.strip(),
        card_last4=tender.card_last4 if tender.method == Method.CARD else "",
        office=office,
        day=day,
        till=till,
        clerk=clerk,
        recorded_at=at,
    )


def insert_payment(
    *,
    package: Package,
    kind: str,
    tender: Tender,
    amount: Decimal,
    office: Office,
    actor: User | None,
    reason: str = "",
    day_held: bool = False,
) -> Payment:
    """Hold the office's day (unless the caller does: ``day_held``), record the
    payment in the clerk's open till (cash: refused without one)."""
    now = timezone.now()
    day = office_day(office, now)
    if not day_held:
        day_lock(office, day)
    payment = new_payment(
        package=package, kind=kind, tender=tender, amount=amount, office=office, day=day, clerk=actor, at=now
    )
    payment.reason = reason.strip()
    values = {
        field.name: field.get_db_prep_save(getattr(payment, field.attname), connection)
        for field in Payment._meta.concrete_fields
    }
    with connection.cursor() as cursor:
        cursor.execute(_INSERT, values)
        row = cursor.fetchone()
    if row is None:
        raise Conflict(
            f"Open a till at {office.code} before taking or paying out cash.",
            code="no_open_till",
            details={"method": "Cash needs your open till."},
        )
    payment.pk, payment.till_id = row
    payment._state.adding, payment._state.db = False, "default"
    return payment


@transaction.atomic
def payment_record(
    *,
    package: Package,
    actor: User,
    kind: str,
    tender: Tender,
    amount: Any = None,
    office: Office | None = None,
    reason: str = "",
) -> Payment:
    """Record money for ``package`` at ``office`` (default: the office of the
    clerk's open till, else where the parcel is, else its origin). ``amount``
    is what changes hands, always positive (a refund is paid back: stored
    negative); a manager's correction is signed and needs a reason. Without
    ``amount``: what is still due, everything paid (a refund), the COD amount."""
    locked = Package.objects.select_for_update(of=("self",)).select_related("origin_office").get(pk=package.pk)
    if kind not in Payment.Kind.values:
        raise ShipmentError(f"Unknown kind “{kind}”.", details={"kind": "Unknown kind."})
    account = PackageAccount.objects.filter(package=locked).first()
    if account is None:
        raise IllegalTransition(
            f"{locked.tracking_number} was not registered at a counter: it has no account to pay into.",
            code="no_account",
        )
    office = office or _default_office(actor, locked)
    if not access.may_act_at(actor, office):
        raise OfficeNotAllowed(f"You do not work at {office.code}.", details={"office": "Not one of your offices."})
    if kind == Payment.Kind.CORRECTION and not access.may_manage(actor, office):
        raise OfficeNotAllowed("Only a manager of the office corrects a payment.")
    rows = list(Payment.objects.filter(package=locked).values("kind", "amount", "method", "office_id"))
    paid, held = settled(rows), cod_collected(rows)
    if kind == Payment.Kind.COD_RETURN and held <= 0:  # nothing to give back, whatever the amount says
        refuse([NOTHING_HELD])
    if amount is None:
        if kind == Payment.Kind.PAYMENT and account.due <= paid:
            raise ShipmentError(
                f"{locked.tracking_number} is paid already.", code="overpaid", details={"amount": "Nothing is due."}
            )
        defaults: dict[str, Decimal] = {
            Payment.Kind.PAYMENT: account.due - paid,
            Payment.Kind.REFUND: paid,
            Payment.Kind.COD_RETURN: held,
        }
        amount = defaults.get(kind, account.cod_amount)
    amount = as_amount(amount)
    problems = (
        _correction_problems(amount, reason) if kind == Payment.Kind.CORRECTION else amount_problems("amount", amount)
    )
    if looks_like_card_number(reason):
        problems.append(Problem("reason", "That looks like a card number: never type it.", code="card_number"))
    refuse(problems)
    paying_back = kind in (Payment.Kind.REFUND, Payment.Kind.COD_RETURN)
    signed = -amount if paying_back else amount
    problems = currency_problems("currency", tender.currency, account.currency)
    if paying_back or kind == Payment.Kind.CORRECTION:
        problems += payout_problems(method=tender.method, reference=tender.reference, card_last4=tender.card_last4)
        problems += _where_paid_problems(kind, rows, office, tender.method, amount)
    else:
        problems += problems_with_tender(tender, amount, account.currency)
    if kind == Payment.Kind.COD:
        problems += cod_problems(
            cod_amount=account.cod_amount,
            amount=amount,
            collected=held > 0,
            status=locked.status,
            at_destination=locked.current_office_id == locked.destination_office_id == office.pk,
            currency=account.currency,
            method=tender.method,
            returning=locked.returning,
        )
    elif kind == Payment.Kind.COD_RETURN:
        problems += cod_return_problems(
            held=held,
            amount=amount,
            status=locked.status,
            method=tender.method,
            collected_by=next((row["method"] for row in reversed(rows) if row["kind"] == Payment.Kind.COD), ""),
            currency=account.currency,
        )
    else:
        problems += payment_problems(
            kind=kind,
            amount=signed,
            due=account.due,
            paid=paid,
            status=locked.status,
            method=tender.method,
            paid_by_method=settled_by_method(rows),
        )
    refuse(problems)
    return insert_payment(
        package=locked, kind=kind, tender=tender, amount=signed, office=office, actor=actor, reason=reason
    )


def _where_paid_problems(
    kind: str, rows: Iterable[Mapping[str, Any]], office: Office, method: str, amount: Decimal
) -> list[Problem]:
    """Money goes back at an office that took it: a refund where the price was
    paid, at most what that office took in that method (no cash out of a till
    that took a card), a COD where it was collected."""
    rows = list(rows)
    took = Payment.Kind.COD if kind == Payment.Kind.COD_RETURN else Payment.Kind.PAYMENT
    offices = {row["office_id"] for row in rows if row["kind"] == took}
    if not offices:
        return []
    if office.pk not in offices:
        codes = ", ".join(sorted(Office.objects.filter(pk__in=offices).values_list("code", flat=True)))
        return [Problem("office", f"Paid at {codes}.", f"The money was taken at {codes}: it is given back there.")]
    if kind != Payment.Kind.REFUND:
        return []
    here = settled_by_method(row for row in rows if row["office_id"] == office.pk).get(method, ZERO)
    if amount > here and amount <= settled_by_method(rows).get(method, ZERO):  # else: the method's own problem
        label = Method(method).label.lower() if method in Method.values else method
        sentence = f"Only {max(here, ZERO)} was paid by {label} at {office.code}: pay back at most that here."
        return [Problem("amount", f"More than {office.code} took by {label}.", sentence, "refund_office")]
    return []


def _correction_problems(amount: object, reason: str) -> list[Problem]:
    problems = amount_problems("amount", abs(amount) if isinstance(amount, Decimal) and amount.is_finite() else amount)
    if not reason.strip():
        problems.append(Problem("reason", "Required.", "Say why the payment is corrected."))
    return problems


def _default_office(actor: User, package: Package) -> Office:
    till = Till.objects.filter(clerk=actor, closed_at__isnull=True).select_related("office").first()
    if till is not None:
        return till.office
    return package.current_office or package.origin_office
