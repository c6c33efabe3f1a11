"""Registering a parcel at the counter with its money: the price (and the
COD fee) paid with the registration, or left unpaid where the office allows
it. The payment itself is recorded as every other (``counter.services``)."""

from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction

from offices import access
from shipments.exceptions import OfficeNotAllowed
from shipments.models import Package, TrackingEvent
from shipments.pricing import PriceList
from shipments.rules import Problem, refuse
from shipments.services import package_record_event, package_register
from shipments.statuses import Status

from .models import PackageAccount, Payment
from .rules import ZERO, as_amount, cod_amount_problems
from .services import Tender, day_lock, insert_payment, office_day, office_settings, problems_with_tender


def amount_due(total: Decimal, service: str, cod_amount: Any) -> Decimal:
    """What registering costs the sender: the price, and the tariff's COD fee when cash is collected on delivery."""
    from shipments.models import Tariff

    cod = as_amount(cod_amount or ZERO)
    if not isinstance(cod, Decimal) or cod <= 0:
        return total
    return total + (Tariff.objects.filter(service=service).values_list("cod_fee", flat=True).first() or ZERO)


@transaction.atomic
def register_at_counter(
    *,
    actor: User,
    payment: Tender | None,
    cod_amount: Any = ZERO,
    accept: bool = False,
    source: str = TrackingEvent.Source.COUNTER,
    price_list: PriceList | None = None,
    **register: Any,
) -> Package:
    """``shipments.services.package_register`` with the money: the price (and
    the COD fee) is paid with ``payment``, or left unpaid where the office
    allows it; ``accept`` only once it is paid. ``register``: parcel, sender, receiver."""
    parcel = register["parcel"]
    office = parcel.origin_office
    if not access.may_act_at(actor, office):
        raise OfficeNotAllowed(
            f"You do not work at {office.code}, so you cannot register parcels there.",
            details={"origin_office": "Not one of your offices."},
        )
    price_list = price_list or PriceList.load()
    if price_list.problems(parcel):  # the registration refuses it with every problem of the parcel and the parties
        package_register(actor=actor, source=source, price_list=price_list, **register)
    cost = price_list.price(parcel)
    rules = office_settings(office)
    cod_amount = as_amount(cod_amount if cod_amount is not None else ZERO)
    problems = cod_amount_problems(cod_amount, limit=rules.cod_limit, currency=cost.currency)
    cod_fee = price_list.tariffs[parcel.service].cod_fee if not problems and cod_amount > 0 else ZERO
    due = cost.total + cod_fee
    if payment is not None:  # named as the fields of the create body's payment
        problems += [
            problem._replace(field=f"payment.{problem.field}")
            for problem in problems_with_tender(payment, due, cost.currency)
        ]
    elif not rules.unpaid_allowed:
        problems.append(
            Problem("payment", "Required.", f"Take the payment: {office.code} registers paid parcels only.")
        )
    elif accept:
        problems.append(Problem("payment", "Required to accept.", "An unpaid parcel is accepted once it is paid."))
    refuse(problems, "Please correct the payment.")
    day_lock(office, office_day(office))
    package = package_register(actor=actor, source=source, price_list=price_list, accept=False, **register)
    PackageAccount.objects.create(
        package=package,
        due=due,
        cod_amount=cod_amount,
        cod_fee=cod_fee,
        currency=cost.currency,
        unpaid_allowed=payment is None,
    )
    if cod_fee:
        from .cod import charge_cod_fee

        charge_cod_fee(package, cod_fee)
    if payment is not None:
        insert_payment(
            package=package,
            kind=Payment.Kind.PAYMENT,
            tender=payment,
            amount=due,
            office=office,
            actor=actor,
            day_held=True,
        )
    if accept:
        package_record_event(package=package, status=Status.ACCEPTED, office=office, actor=actor, source=source)
    return package
