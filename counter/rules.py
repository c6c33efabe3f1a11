"""The counter's money rules over plain values: each returns every problem it
finds (``shipments.rules.Problem``) and touches no database. The register form,
the API, the services and the benchmarks call these same functions.

Amounts follow the one money rule of the network (``amount_problems``, the
declared value's rule in ``shipments.rules.parcel_problems``): a finite
Decimal, in cents, that a money column holds."""

import re
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from shipments.rules import CENT, MAX_DECLARED_VALUE, Problem
from shipments.statuses import Status

from .models import Method, Payment

ZERO = Decimal("0.00")
MAX_AMOUNT = MAX_DECLARED_VALUE
_METHODS = frozenset(Method.values)
# Twelve or more digits in a row once the separators between them are dropped (any run of spaces,
# dots, dashes, slashes, underscores: 4111.1111.1111.1111, 4111  1111 ...): a card number, never stored.
# Runs of digit groups, whatever (spaces, dots, dashes, slashes, underscores) separates them.
_DIGIT_RUN = re.compile(r"\d+(?:[\s./_-]+\d+)*")
_SEPARATORS = re.compile(r"[\s./_-]+")
_LAST4 = re.compile(r"^[0-9]{4}$")
CARD_NUMBER_REFUSED = "That looks like a card number: never type it. Give only the last four digits."
# A COD parcel collects only when it is being handed to the receiver (out for delivery, waiting for pickup).
COD_COLLECTABLE = frozenset({Status.OUT_FOR_DELIVERY, Status.READY_FOR_PICKUP, Status.DELAYED})


def as_amount(value: object) -> object:
    """A typed amount as a Decimal where it reads as one (ints, numeric text); anything else unchanged."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, str):
        try:
            return Decimal(value.strip())
        except ArithmeticError:
            return value
    return value


def amount_problems(field: str, value: object, *, zero_allowed: bool = False) -> list[Problem]:
    """An amount of money: a finite Decimal, more than zero (or zero where
    ``zero_allowed``), at most what a money column holds, in cents."""
    value = as_amount(value)
    least = "zero or more" if zero_allowed else "more than zero"
    if not isinstance(value, Decimal) or not value.is_finite() or value < 0 or (value == 0 and not zero_allowed):
        return [Problem(field, f"Must be an amount of {least}.")]
    if value > MAX_AMOUNT:
        return [Problem(field, f"Must be at most {MAX_AMOUNT:,}.")]
    if value != value.quantize(CENT):
        return [Problem(field, "Use at most two decimal places.")]
    return []


def currency_problems(field: str, currency: str | None, expected: str) -> list[Problem]:
    """Money is taken in the package's (the tariff's) currency only."""
    if currency and currency.strip().upper() != expected:
        return [Problem(field, f"Must be {expected}.", f"Amounts are taken in {expected} only.")]
    return []


def looks_like_card_number(text: str) -> bool:
    """Twelve digits or more in groups of three or more, whatever separates
    them (the last group may be shorter); a reference such as "AUTH-77",
    "PP-2026-1" or a 10-digit authorisation code is not one, nor a note that
    counts notes ("100 / 50 / 20 / 10 / 5")."""
    for run in _DIGIT_RUN.findall(text):
        digits = 0
        for group in _SEPARATORS.split(run):
            digits += len(group)
            if digits >= 12:
                return True
            if len(group) < 3:  # a card is typed in groups of three digits or more (4-4-4-4, 4-6-5)
                digits = 0
    return False


def tender_problems(
    *, method: str, amount: Decimal, tendered: object = None, reference: str = "", card_last4: str = ""
) -> list[Problem]:
    """How ``amount`` is paid: cash needs what was handed over (at least the
    amount), a card its authorisation reference and the card's last four
    digits (never a card number), prepaid postage its reference."""
    if method not in _METHODS:
        return [Problem("method", "Unknown method.", f"Pay by one of: {', '.join(Method.values)}.")]
    problems = []
    for field, text in (("reference", reference), ("card_last4", card_last4)):
        if looks_like_card_number(text):
            problems.append(Problem(field, CARD_NUMBER_REFUSED, CARD_NUMBER_REFUSED, "card_number"))
    if method == Method.CASH:
        tendered_problems = amount_problems("amount_tendered", tendered) if tendered is not None else []
        if tendered is None:
            problems.append(Problem("amount_tendered", "Required for cash.", "Enter the cash handed over."))
        elif tendered_problems:
            problems += tendered_problems
        elif as_amount(tendered) < amount:  # type: ignore[operator]
            problems.append(
                Problem(
                    "amount_tendered", f"Less than the {amount} due.", f"The customer handed over less than {amount}."
                )
            )
        if card_last4:
            problems.append(Problem("card_last4", "Only for card payments."))
    elif method == Method.CARD:
        if not reference.strip():
            problems.append(Problem("reference", "Required for card.", "Enter the terminal's authorisation reference."))
        if not any(problem.field == "card_last4" for problem in problems) and not _LAST4.match(card_last4):
            problems.append(Problem("card_last4", "The card's last four digits."))
    else:
        if not reference.strip():
            problems.append(Problem("reference", "Required for prepaid.", "Enter the prepaid postage's reference."))
        if card_last4:
            problems.append(Problem("card_last4", "Only for card payments."))
    if len(reference) > 100:
        problems.append(Problem("reference", "At most 100 characters."))
    return problems


def payout_problems(*, method: str, reference: str = "", card_last4: str = "") -> list[Problem]:
    """Money paid back (a refund) or a correction: cash out of the till, a card
    refund's reference, a prepaid reference; never a card number."""
    if method not in _METHODS:
        return [Problem("method", "Unknown method.", f"Pay by one of: {', '.join(Method.values)}.")]
    problems = [
        Problem(field, CARD_NUMBER_REFUSED, CARD_NUMBER_REFUSED, "card_number")
        for field, text in (("reference", reference), ("card_last4", card_last4))
        if looks_like_card_number(text)
    ]
    if method != Method.CASH and not reference.strip():
        problems.append(Problem("reference", "Required.", "Enter the refund's reference."))
    if len(reference) > 100:
        problems.append(Problem("reference", "At most 100 characters."))
    return problems


def change_due(tendered: Decimal, amount: Decimal) -> Decimal:
    """The cash given back."""
    return (tendered - amount).quantize(CENT)


# The receiver's money: what was collected on delivery, and given back to a receiver who did not take the parcel.
COD_KINDS = frozenset({Payment.Kind.COD, Payment.Kind.COD_RETURN})
# The receiver pays on delivery by cash or by card (prepaid postage is the sender's).
COD_METHODS = frozenset({Method.CASH, Method.CARD})


def settled(payments: Iterable[Mapping[str, Any]]) -> Decimal:
    """What the sender has paid towards the price, net of refunds and corrections (not COD)."""
    return sum((row["amount"] for row in payments if row["kind"] not in COD_KINDS), ZERO)


def settled_by_method(payments: Iterable[Mapping[str, Any]]) -> dict[str, Decimal]:
    """``settled``, method by method: what a refund may give back in each."""
    totals: dict[str, Decimal] = {}
    for row in payments:
        if row["kind"] not in COD_KINDS:
            totals[row["method"]] = totals.get(row["method"], ZERO) + row["amount"]
    return totals


def cod_collected(payments: Iterable[Mapping[str, Any]]) -> Decimal:
    """The COD held for the receiver's parcel: collected, less what was given back."""
    return sum((row["amount"] for row in payments if row["kind"] in COD_KINDS), ZERO)


def payment_problems(
    *,
    kind: str,
    amount: Decimal,
    due: Decimal,
    paid: Decimal,
    status: str,
    method: str,
    paid_by_method: Mapping[str, Decimal],
) -> list[Problem]:
    """A payment towards the price never takes more than is still due; a
    refund pays back a cancelled parcel's price, never more than was paid, and
    the way it was paid (``paid_by_method``: no cash out of the till for a
    price paid by card or prepaid); a correction leaves what was paid between
    nothing and the price."""
    if kind == Payment.Kind.PAYMENT:
        if status == Status.CANCELLED:
            return [Problem("kind", "The parcel is cancelled.", "A cancelled parcel takes no payment.")]
        if amount > due - paid:
            owed = due - paid
            sentence = "It is paid already." if owed <= 0 else f"Only {owed} is still due."
            return [Problem("amount", f"More than the {max(owed, ZERO)} still due.", sentence, "overpaid")]
    elif kind == Payment.Kind.REFUND:
        if status != Status.CANCELLED:
            return [Problem("kind", "Only a cancelled parcel is refunded.", "Cancel the parcel before refunding it.")]
        if -amount > paid:
            return [Problem("amount", f"More than the {paid} paid.", f"Only {paid} was paid: refund at most that.")]
        if -amount > paid_by_method.get(method, ZERO):
            ways = [
                f"{total} by {Method(way).label.lower()}" for way, total in sorted(paid_by_method.items()) if total > 0
            ]
            sentence = f"Pay back the way it was paid: {', '.join(ways) or 'nothing'}."
            return [Problem("method", f"More than was paid by {method}.", sentence, "refund_method")]
    elif kind == Payment.Kind.CORRECTION and not ZERO <= paid + amount <= due:
        return [Problem("amount", f"Paid would be {paid + amount}, outside 0 to {due}.")]
    return []


def cod_problems(
    *,
    cod_amount: Decimal,
    amount: Decimal,
    collected: bool,
    status: str,
    at_destination: bool,
    currency: str,
    method: str,
    returning: bool,
) -> list[Problem]:
    """A COD collection takes exactly the amount asked, once, from the receiver,
    by cash or card: at the destination, on the parcel's way to them (a parcel
    going back to its sender collects nothing)."""
    if cod_amount <= 0:
        return [Problem("kind", "No cash on delivery.", "This parcel has no amount to collect on delivery.")]
    if collected:
        return [Problem("kind", "Collected already.", "The COD amount of this parcel is collected already.")]
    if returning:
        return [Problem("kind", "Going back to its sender.", "A parcel going back to its sender collects nothing.")]
    if status not in COD_COLLECTABLE or not at_destination:
        return [Problem("kind", "Not on its way to the receiver.", "Only a parcel at its destination collects COD.")]
    if method not in COD_METHODS:
        return [Problem("method", "Cash or card.", "The receiver pays cash on delivery by cash or by card.")]
    if amount != cod_amount:
        return [Problem("amount", f"Must be {cod_amount} {currency}.", f"Collect exactly {cod_amount} {currency}.")]
    return []


NOTHING_HELD = Problem("kind", "No COD collected.", "No cash on delivery of this parcel is held to give back.")


def cod_return_problems(
    *, held: Decimal, amount: Decimal, status: str, method: str, collected_by: str, currency: str
) -> list[Problem]:
    """A COD collected from a receiver who then did not take the parcel is
    given back to them, whole, the way it was paid, before the parcel moves on
    (``held``: what is collected and not given back; ``collected_by``: its method)."""
    if held <= 0:
        return [NOTHING_HELD]
    if status == Status.DELIVERED:
        return [Problem("kind", "Delivered.", "The receiver took the parcel: the COD is the sender's.")]
    if amount != held:
        return [Problem("amount", f"Must be {held} {currency}.", f"Give back the {held} {currency} collected.")]
    if method != collected_by:
        label = Method(collected_by).label.lower()
        return [Problem("method", f"Collected by {label}.", f"Give it back by {label}, the way it was paid.")]
    return []


def cod_amount_problems(value: object, *, limit: Decimal, currency: str) -> list[Problem]:
    """The amount a sender asks the receiver to pay: zero (none) up to the office's limit."""
    problems = amount_problems("cod_amount", value, zero_allowed=True)
    if not problems and as_amount(value) > limit:  # type: ignore[operator]
        problems.append(Problem("cod_amount", f"At most {limit} {currency}."))
    return problems


def variance_problems(*, variance: Decimal, limit: Decimal, note: str) -> list[Problem]:
    """A variance over the office's limit is explained by a manager's note."""
    if abs(variance) > limit and not note.strip():
        return [
            Problem(
                "note",
                f"A variance of {variance} is over the limit of {limit}: a manager's note is needed.",
                code="note_required",
            )
        ]
    return []


def denomination_total(denominations: Mapping[str, object]) -> tuple[Decimal, list[Problem]]:
    """The total of a count by denomination ({"20.00": 3, "0.05": 4}) and its problems."""
    total, problems = ZERO, []
    if len(denominations) > 50:
        return ZERO, [Problem("denominations", "At most 50 denominations.")]
    for key, count in denominations.items():
        value = as_amount(key)
        if amount_problems("denominations", value) or type(count) is not int or not 0 <= count <= 100_000:
            problems.append(Problem("denominations", f"“{str(key)[:20]}”: a denomination and a whole count."))
            continue
        total += value * count  # type: ignore[operator]
    return total, problems
