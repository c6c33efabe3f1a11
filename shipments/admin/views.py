"""The counter pages hooked into the package admin: register, scan, label and
receipt (recording one step is ``steps``, the cost reports are in ``reports``).

Views stay thin: input goes through the forms of ``shipments.admin.forms``, reads through
the selectors, writes through ``services``; a ShipmentError becomes a form
error or an admin message, never a server error.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html

from counter.registration import amount_due, register_at_counter
from offices import access

from ..batches import package_scan_batch
from ..exceptions import ShipmentError
from ..labels import barcode_svg, public_tracking_url, qr_svg
from ..models import Package
from ..pricing import quote
from ..times import office_zone
from ..zpl import DPI_CHOICES, dpi_from, package_label, zpl_response
from .forms import PackageRegisterForm, ScanForm, add_shipment_error


def _context(model_admin, request, title: str, **extra) -> dict:
    return {
        **model_admin.admin_site.each_context(request),
        "opts": Package._meta,
        "app_label": Package._meta.app_label,
        "title": title,
        **extra,
    }


def package_url(package: Package, view: str = "change") -> str:
    return reverse(f"admin:shipments_package_{view}", args=[package.pk])


# --- Register a package -------------------------------------------------------


def register_view(model_admin, request):
    """Quote first, then register: the clerk always sees the price before saving."""
    if not model_admin.has_add_permission(request):
        raise PermissionDenied
    form = PackageRegisterForm(request.POST or None, user=request.user)
    shown_quote = None
    if request.method == "POST" and form.is_valid():
        try:
            shown_quote = quote(form.parcel())
        except ShipmentError as error:
            add_shipment_error(form, error)
        else:
            if "_register" in request.POST:
                if form.cleaned_data.get("quoted_total") != shown_quote.total:
                    messages.warning(
                        request,
                        f"The price is now {shown_quote.total} {shown_quote.currency}: the details changed "
                        "since the last quote. Check it with the customer and press Register again.",
                    )
                else:
                    try:
                        package = register_at_counter(actor=request.user, **form.register_arguments())
                    except ShipmentError as error:
                        add_shipment_error(form, error)
                        shown_quote = None
                    else:
                        model_admin.log_addition(request, package, [{"added": {}}])
                        messages.success(
                            request,
                            format_html(
                                "Registered {} ({}). <a href='{}' target='_blank'>Print the label</a> · "
                                "<a href='{}' target='_blank'>Print the receipt</a>.",
                                package.tracking_number,
                                package.get_status_display().lower(),
                                package_url(package, "label"),
                                package_url(package, "receipt"),
                            ),
                        )
                        return redirect(package_url(package))
            if shown_quote is not None:
                # Remember which total the clerk was shown (see the check above).
                form.data = form.data.copy()
                form.data["quoted_total"] = str(shown_quote.total)
    due = None
    if shown_quote is not None:
        due = amount_due(shown_quote.total, form.cleaned_data["service"], form.cleaned_data.get("cod_amount"))
    context = _context(
        model_admin,
        request,
        "Register a package",
        form=form,
        quote=shown_quote,
        amount_due=due,
        media=model_admin.media + form.media,
    )
    return TemplateResponse(request, "admin/shipments/package/register.html", context)


# --- Scan parcels at an office -------------------------------------------------


def _pick_office(model_admin, request, offices, office_code, *, purpose: str, title: str, not_yours: str):
    """The office named in the URL, among ``offices``. Without a code: a page to
    pick one, or a redirect when there is only one. Returns (office, response)
    with exactly one of them set; a code outside ``offices`` is a 404."""
    if office_code is None:
        choices = list(offices)
        if len(choices) == 1:
            return None, redirect(f"admin:shipments_package_{purpose}", office_code=choices[0].code)
        context = _context(model_admin, request, title, offices=choices, purpose=purpose)
        return None, TemplateResponse(request, "admin/shipments/package/office_picker.html", context)
    office = offices.filter(code=office_code.upper()).first()
    if office is None:
        raise Http404(f"{office_code} {not_yours}")
    return office, None


def scan_view(model_admin, request, office_code: str | None = None):
    offices = access.offices_to_act_at(request.user).order_by("code")
    office, response = _pick_office(
        model_admin,
        request,
        offices,
        office_code,
        purpose="scan",
        title="Scan parcels",
        not_yours="is not one of your offices.",
    )
    if response is not None:
        return response
    form = ScanForm(request.POST or None)
    results = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        results = package_scan_batch(
            actor=request.user,
            office=office,
            status=data["status"],
            lines=data["tracking_numbers"],
            reason=data["reason"],
            received_by=data["received_by"],
            note=data["note"],
        )
        # Keep the action for the next batch, empty the box for the scanner.
        form = ScanForm(initial={key: data[key] for key in ("status", "reason", "received_by", "note")})
    context = _context(
        model_admin,
        request,
        f"Scan parcels at {office.code}",
        office=office,
        form=form,
        results=results,
        done_count=sum(result.outcome == "done" for result in results or []),
        refused_count=sum(result.outcome == "refused" for result in results or []),
        repeated_count=sum(result.outcome == "repeated" for result in results or []),
        media=model_admin.media + form.media,
    )
    return TemplateResponse(request, "admin/shipments/package/scan.html", context)


# --- The package page: label and receipt (its next steps: ``steps``) ---------------


def label_view(model_admin, request, object_id: str):
    package = model_admin.get_object(request, object_id)
    context = {
        "package": package,
        "barcode": barcode_svg(package.tracking_number),
        "zone": office_zone(package.origin_office),  # printed at the counter where it was registered
        "title": "Label",
    }
    return TemplateResponse(request, "shipments/label.html", context)


def label_zpl_view(model_admin, request, object_id: str):
    """The label in ZPL for a thermal printer (``?dpi=300`` for a 300 dpi one)."""
    package = model_admin.get_object(request, object_id)
    dpi = dpi_from(request.GET.get("dpi"))
    if dpi is None:
        return HttpResponseBadRequest(f"dpi: one of {', '.join(map(str, DPI_CHOICES))}.", content_type="text/plain")
    body = package_label(package, tracking_url=public_tracking_url(request, package.tracking_number), dpi=dpi)
    return zpl_response(body, f"label-{package.tracking_number}.zpl")


# The receipt's paper: a sheet of A4, or an 80 mm roll of a counter's thermal printer.
RECEIPT_PAPERS = {"a4": "A4", "80mm": "80 mm roll"}


def receipt_view(model_admin, request, object_id: str):
    """The sender's receipt: who sends what to whom, how, by when and for how
    much (the frozen cost), with the number as a barcode and the public
    tracking link as a QR code. Whoever may open the package page may print it."""
    package = model_admin.get_object(request, object_id)
    paper = request.GET.get("paper", "a4")
    if paper not in RECEIPT_PAPERS:
        paper = "a4"
    tracking_url = public_tracking_url(request, package.tracking_number)
    context = {
        "package": package,
        "barcode": barcode_svg(package.tracking_number),
        "qr_code": qr_svg(tracking_url),
        "tracking_url": tracking_url,
        "zone": office_zone(package.origin_office),  # handed over at the origin's counter
        "paper": paper,
        "papers": RECEIPT_PAPERS,
        "title": "Receipt",
    }
    return TemplateResponse(request, "shipments/receipt.html", context)
