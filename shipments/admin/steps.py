"""Recording one step from the package page, and the page that confirms a step
ending the journey first (shipments.statuses.CONFIRM_FIRST). Cancelling a
parcel whose sender paid at the counter pays the money back on that page, in
the same transaction (counter.steps.cancel_with_refund)."""

from django.contrib import messages
from django.shortcuts import redirect
from django.template.response import TemplateResponse

from counter.forms import RefundForm, add_money_error
from counter.models import Method
from counter.selectors import PaymentState, payment_state
from counter.steps import cancel_with_refund

from ..exceptions import ShipmentError
from ..models import Package, TrackingEvent
from ..services import package_record_event
from ..statuses import CONFIRM_FIRST, Reason, Status
from .forms import RecordEventForm
from .views import _context, package_url


def record_event_view(model_admin, request, object_id: str):
    package = model_admin.get_object(request, object_id)
    if request.method != "POST":
        return redirect(package_url(package))
    form = RecordEventForm(request.POST, user=request.user)
    if not form.is_valid():
        problems = "; ".join(str(message) for messages_ in form.errors.values() for message in messages_)
        messages.error(request, f"Nothing recorded: {problems}")
        return redirect(package_url(package))
    data = form.cleaned_data
    confirmed = request.POST.get("confirmed") == "yes"
    if data["status"] in CONFIRM_FIRST:
        money = payment_state(package) if data["status"] == Status.CANCELLED else None
        refund_form = None
        if money is not None and money.paid > 0 and money.paid_in_one_way:
            initial = {"payment_method": money.method or "cash"}
            refund_form = RefundForm(request.POST if confirmed else None, prefix="refund", initial=initial)
        if not confirmed:
            # Ending a journey (and paying back a cancellation) takes a second click on its own page.
            return _confirm_step_page(model_admin, request, package, data, money, refund_form)
        if money is not None and refund_form is not None:
            return _cancel_with_refund(model_admin, request, package, data, money, refund_form)
    try:
        package_record_event(
            package=package,
            status=data["status"],
            office=data["office"],
            actor=request.user,
            source=TrackingEvent.Source.COUNTER,
            reason=data["reason"],
            received_by=data["received_by"],
            note=data["note"],
        )
    except ShipmentError as error:
        messages.error(request, f"Nothing recorded: {error.message}")
    else:
        messages.success(request, f"{package.tracking_number} is now {_done(data)}.")
    return redirect(package_url(package))


def _done(data: dict) -> str:
    where = f" at {data['office'].code}" if data["office"] else ""
    return f"{Status(data['status']).label.lower()}{where}"


def _cancel_with_refund(model_admin, request, package: Package, data: dict, money: PaymentState, refund_form):
    """The cancellation and its refund, both or neither; a refusal shows the page again with its reason."""
    if refund_form.is_valid():
        try:
            _, refund = cancel_with_refund(
                package=package,
                actor=request.user,
                tender=refund_form.tender(),
                office=data["office"],
                reason=data["reason"],
                note=data["note"],
            )
        except ShipmentError as error:
            # One problem: its whole sentence at its field; several: each field's short message.
            details = error.details if len(error.details) > 1 else dict.fromkeys(error.details, error.message)
            placed = [add_money_error(refund_form, field, message) for field, message in details.items()]
            if not all(placed) or not details:
                refund_form.add_error(None, error.message)
        else:
            messages.success(
                request,
                f"{package.tracking_number} is now {_done(data)}. Refund of {-refund.amount} {refund.currency} "
                f"({refund.get_method_display().lower()}) paid back.",
            )
            return redirect(package_url(package))
    return _confirm_step_page(model_admin, request, package, data, money, refund_form)


def _consequence(package: Package, status: Status, money: PaymentState | None) -> str:
    if status == Status.CANCELLED:
        if money is None:  # registered before the counter took money: its charges are refunded
            return (
                f"The sender is refunded {package.cost_total} {package.cost_currency} at once, "
                "and the package can never move again."
            )
        if money.paid > 0 and not money.paid_in_one_way:
            ways = " and ".join(
                f"{total} by {Method(way).label.lower()}" for way, total in sorted(money.paid_by.items())
            )
            return (
                f"The sender's charges are refunded; the {money.paid} {money.currency} they paid ({ways}) is paid "
                "back afterwards from the package page's payment form, one way at a time. "
                "The package can never move again."
            )
        if money.paid > 0:
            return (
                f"The sender's charges are refunded, and the {money.paid} {money.currency} they paid is paid back "
                "now, as you choose below. The package can never move again."
            )
        return "Nothing was paid for it, so nothing is paid back; the package can never move again."
    if status == Status.LOST:
        return "The package is written off as lost; its journey ends and it can never move again."
    if status == Status.RETURN_STARTED:
        return (
            "The parcel goes back to its origin office and its sender, who is told; the return fee of its "
            "tariff is charged, and the receiver can no longer collect it."
        )
    return "The parcel is handed back to its sender; its journey ends and it can never move again."


def _confirm_step_page(
    model_admin, request, package: Package, data: dict, money: PaymentState | None, refund_form
) -> TemplateResponse:
    status = Status(data["status"])
    fields = {
        "status": data["status"],
        "office": data["office"].pk if data["office"] else "",
        "reason": data["reason"],
        "received_by": data["received_by"],
        "note": data["note"],
    }
    context = _context(
        model_admin,
        request,
        f"Mark {package.tracking_number} {status.label.lower()}?",
        package=package,
        status_label=status.label,
        office=data["office"],
        reason=Reason(data["reason"]).label if data["reason"] else "",
        consequence=_consequence(package, status, money),
        fields=fields,
        change_url=package_url(package),
        money=money,
        paid_by=Method(money.method).label.lower() if money is not None and money.method else "",
        refund_form=refund_form,
    )
    return TemplateResponse(request, "admin/shipments/package/confirm_step.html", context)
