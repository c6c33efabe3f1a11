"""The back-office pages of a handover: the delivery page (the proof, a drawn
signature, a photo, the collection code), the A4 delivery receipt, and a new
code sent by a manager. Scoped as the package page (shipments.selectors) and
written through handover.services."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_POST

from counter.forms import CodForm, add_money_error
from counter.models import Payment
from counter.selectors import payment_state
from counter.steps import hand_over_with_cod
from offices import access
from shipments.exceptions import ShipmentError
from shipments.ids import is_row_id
from shipments.models import TrackingEvent
from shipments.selectors import package_detail_queryset
from shipments.statuses import HANDOVER_STATUSES, Status
from shipments.times import office_zone

from . import files
from .forms import DeliveryForm
from .rules import READY_FOR_HANDOVER, image_type
from .selectors import handover_needs, package_proof, proof_links
from .services import collection_code_resend


def back_office(view):
    """The admin's sign-in and the back-office's door (access.may_use_admin)."""

    def wrapper(request, *args, **kwargs):
        if not access.may_use_admin(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return admin.site.admin_view(wrapper)


def _package(request, object_id: str):
    package = package_detail_queryset(request.user).filter(pk=object_id).first() if is_row_id(object_id) else None
    if package is None:
        raise Http404("No such package among the packages you can see.")
    return package


def package_page(package) -> str:
    return reverse("admin:shipments_package_change", args=[package.pk])


def _store_photo(package, photo) -> str:
    """The clerk's photo, stored under the package as an app's upload would be; its checks are the service's."""
    head = photo.read(16)
    photo.seek(0)
    key = files.new_key(package.tracking_number, "upload")
    return files.save(key, photo.read(), image_type(head) or "application/octet-stream")


@back_office
def delivery_view(request, object_id: str, status: str = Status.DELIVERED):
    package = _package(request, object_id)
    if status not in HANDOVER_STATUSES:
        raise Http404
    needs = handover_needs(package, status)
    form = DeliveryForm(request.POST or None, request.FILES or None, needs=needs)
    # A COD parcel's receiver pays on this page, with the handover (counter.steps.hand_over_with_cod).
    money = payment_state(package) if status == Status.DELIVERED else None
    cod_owed = money is not None and money.cod_amount > 0 and not money.cod_collected
    cod_form = CodForm(request.POST or None, prefix="cod") if cod_owed else None
    if request.method == "POST" and form.is_valid() and (cod_form is None or cod_form.is_valid()):
        try:
            photo = form.cleaned_data["photo"]
            _, collected = hand_over_with_cod(
                package=package,
                status=status,
                proof=form.proof(_store_photo(package, photo) if photo else ""),
                actor=request.user,
                cod=cod_form.tender() if cod_form is not None else None,
                source=TrackingEvent.Source.COUNTER,
                note=form.cleaned_data["note"],
            )
        except ShipmentError as error:
            # One problem: its whole sentence at its field; several: each field's short message.
            details = error.details if len(error.details) > 1 else dict.fromkeys(error.details, error.message)
            for field, message in details.items():
                if cod_form is None or not add_money_error(cod_form, field, message):
                    form.add_error(field if field in form.fields else None, message)
            if not details:
                form.add_error(None, error.message)
        else:
            done = f"{package.tracking_number} is now {Status(status).label.lower()}."
            messages.success(request, done + _paid(collected))
            return redirect(package_page(package))
    context = {
        **admin.site.each_context(request),
        "title": f"Hand over {package.tracking_number}",
        "package": package,
        "form": form,
        "needs": needs,
        "money": money if money is not None and money.cod_amount > 0 else None,
        "cod_form": cod_form,
        "ready": package.status in READY_FOR_HANDOVER,
        "change_url": package_page(package),
    }
    return TemplateResponse(request, "admin/handover/deliver.html", context)


def _paid(collected: Payment | None) -> str:
    if collected is None:
        return ""
    change = f", change {collected.change}" if collected.change else ""
    return (
        f" Cash on delivery of {collected.amount} {collected.currency} collected "
        f"({collected.get_method_display().lower()}{change})."
    )


@back_office
def receipt_view(request, object_id: str):
    """The proof on one A4 page, signature included: what answers a claim."""
    package = _package(request, object_id)
    proof = package_proof(package)
    if proof is None:
        raise Http404("This package has no proof of delivery.")
    links = proof_links(proof)
    context = {
        "package": package,
        "proof": proof,
        "signature_url": links.get(proof.signature, ""),
        "photo_url": links.get(proof.photo, ""),
        "zone": office_zone(proof.event.office) if proof.event.office else "UTC",
        "title": "Delivery receipt",
    }
    return TemplateResponse(request, "handover/delivery_receipt.html", context)


@back_office
@require_POST
def resend_code_view(request, object_id: str):
    package = _package(request, object_id)
    try:
        code = collection_code_resend(package=package, actor=request.user)
    except ShipmentError as error:
        messages.error(request, f"No new code sent: {error.message}")
    else:
        messages.success(
            request, f"A new collection code went to the receiver by {code.sent_to.replace(',', ' and ')}."
        )
    return redirect(package_page(package))
