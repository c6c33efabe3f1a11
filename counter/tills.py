"""A clerk's till: opened with a counted float at one office, closed by the
cash-up (counted against expected, the variance explained over the office's limit)."""

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from offices import access
from offices.models import Office
from shipments.exceptions import OfficeNotAllowed
from shipments.rules import Problem, refuse

from .models import Method, Payment, Till
from .rules import ZERO, amount_problems, as_amount, denomination_total, looks_like_card_number, variance_problems
from .services import Conflict, day_lock, office_day, office_settings


def till_expected(till: Till) -> Decimal:
    """The cash that should be in the drawer: the float and every cash payment in (refunds out)."""
    cash = Payment.objects.filter(till=till, method=Method.CASH).aggregate(total=Sum("amount"))["total"]
    return till.opening_float + (cash or ZERO)


@transaction.atomic
def till_open(*, actor: User, office: Office, opening_float: Any) -> Till:
    """Open ``actor``'s till at ``office`` with the float they counted; one open till per clerk."""
    if not access.may_act_at(actor, office):
        raise OfficeNotAllowed(f"You do not work at {office.code}.", details={"office": "Not one of your offices."})
    refuse(amount_problems("float", opening_float, zero_allowed=True))
    now = timezone.now()
    day = office_day(office, now)
    day_lock(office, day)
    existing = Till.objects.filter(clerk=actor, closed_at__isnull=True).select_related("office").first()
    if existing is not None:
        raise Conflict(
            f"You have a till open at {existing.office.code} already: cash it up before opening another.",
            code="till_open",
            details={"till": existing.pk},
        )
    try:
        with transaction.atomic():
            return Till.objects.create(
                office=office,
                clerk=actor,
                day=day,
                opened_at=now,
                opening_float=Decimal(str(as_amount(opening_float))),
                currency=settings.PRICING_CURRENCY,
            )
    except IntegrityError:  # the same clerk, twice at once
        raise Conflict("You have a till open already: cash it up before opening another.", code="till_open") from None


def may_close(user: User, till: Till) -> bool:
    """The clerk of the till, or a manager of its office (HQ)."""
    return till.clerk_id == user.pk or access.may_manage(user, till.office)


@transaction.atomic
def till_close(
    *, actor: User, till: Till, counted: Any = None, denominations: dict[str, Any] | None = None, note: str = ""
) -> Till:
    """The cash-up: the drawer counted (a total, or pieces by denomination),
    compared with what is expected; a variance over the office's limit needs a
    manager's note. Locks the till: a payment racing the close is in it or refused."""
    if not may_close(actor, till):
        raise OfficeNotAllowed("Only the till's clerk or a manager of its office cashes it up.")
    problems: list[Problem] = []
    if denominations:
        total, problems = denomination_total(denominations)
        if counted is None:
            counted = total
        elif not amount_problems("counted", counted, zero_allowed=True) and as_amount(counted) != total:
            problems.append(Problem("counted", f"The denominations add up to {total}."))
    if counted is None:
        problems.append(Problem("counted", "Required.", "Count the drawer and enter the total."))
    else:
        problems += amount_problems("counted", counted, zero_allowed=True)
    if len(note) > 2000:
        problems.append(Problem("note", "At most 2000 characters."))
    elif looks_like_card_number(note):
        problems.append(Problem("note", "That looks like a card number: never type it.", code="card_number"))
    refuse(problems)
    day_lock(till.office, office_day(till.office))
    locked = Till.objects.select_for_update(of=("self",)).select_related("office").get(pk=till.pk)
    if locked.closed_at is not None:
        raise Conflict(f"Till {locked.pk} is closed already.", code="till_closed")
    counted = Decimal(str(as_amount(counted)))  # an amount: checked above
    expected = till_expected(locked)
    variance = counted - expected
    limit = office_settings(locked.office).variance_limit
    problems = variance_problems(variance=variance, limit=limit, note=note)
    if not problems and abs(variance) > limit and not access.may_manage(actor, locked.office):
        problems.append(
            Problem("note", f"A variance of {variance} is over the limit of {limit}: a manager closes this till.")
        )
    refuse(problems)
    locked.closed_at = timezone.now()
    locked.closed_by = actor
    locked.expected, locked.counted, locked.variance = expected, counted, variance
    locked.denominations = {str(key): value for key, value in (denominations or {}).items()}
    locked.note = note.strip()
    locked.save()
    return locked
