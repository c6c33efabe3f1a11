"""The bag pages hooked into the bag admin: open a bag, the bag's own page
(scan parcels in, take one out, close, receive, open and check), its label,
dispatching closed bags, the dispatch list (A4 and CSV) and receiving by scan.

Thin: input through ``dispatches.admin.forms``, reads through
``dispatches.selectors``, writes through ``dispatches.services`` and
``movements``; a refusal is a message or a form error, never a server error.
"""

import io

from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse

from dispatches import selectors
from dispatches.identifiers import groups
from dispatches.lists import dispatch_list, write_csv
from dispatches.models import Bag, Dispatch
from dispatches.movements import check_bag, dispatch_bags, receive_bag
from dispatches.services import bag_add_parcels, bag_close, bag_open, bag_remove_parcel
from dispatches.zpl import bag_label
from offices import access
from shipments.exceptions import ShipmentError
from shipments.labels import barcode_svg
from shipments.times import local_time, office_zone
from shipments.zpl import DPI_CHOICES, dpi_from, zpl_response

from .forms import CheckBagForm, CloseBagForm, OpenBagForm, ReceiveForm, ScanIntoBagForm


def _context(model_admin, request, title: str, **extra) -> dict:
    return {
        **model_admin.admin_site.each_context(request),
        "opts": Bag._meta,
        "app_label": Bag._meta.app_label,
        "title": title,
        "media": model_admin.media,
        **extra,
    }


def bag_url(bag: Bag) -> str:
    return reverse("admin:dispatches_bag_change", args=[bag.key])


def _bag(request, key: str) -> Bag:
    try:
        return selectors.bag_detail(request.user, key)
    except ShipmentError as error:  # a malformed S9 in the address
        raise Http404(error.message) from None


def open_view(model_admin, request):
    offices = access.offices_to_act_at(request.user).order_by("code")
    form = OpenBagForm(request.POST or None, offices=offices)
    if request.method == "POST" and form.is_valid():
        try:
            bag = bag_open(actor=request.user, **form.cleaned_data)
        except ShipmentError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"Bag {bag.pk} is open: scan its parcels in.")
            return redirect(bag_url(bag))
    return TemplateResponse(
        request, "admin/dispatches/bag/open.html", _context(model_admin, request, "Open a bag", form=form)
    )


def _act(request, bag: Bag, action: str) -> tuple[dict, bool]:
    """One action posted on the bag page; (what the page shows, whether it succeeded)."""
    shown: dict = {}
    try:
        if action == "scan":
            form = ScanIntoBagForm(request.POST)
            shown["scan_form"] = form
            if form.is_valid():
                shown["results"] = bag_add_parcels(
                    actor=request.user, bag=bag, lines=form.cleaned_data["tracking_numbers"]
                )
                shown["scan_form"] = ScanIntoBagForm()
        elif action == "remove":
            bag_remove_parcel(actor=request.user, bag=bag, tracking_number=request.POST.get("tracking_number", ""))
            messages.success(request, f"{request.POST.get('tracking_number')} was taken out of the bag.")
            return shown, True
        elif action == "close":
            close_form = CloseBagForm(request.POST)
            shown["close_form"] = close_form
            if close_form.is_valid():
                closed = bag_close(actor=request.user, bag=bag, **close_form.cleaned_data)
                messages.success(request, f"Bag closed: {closed.identifier}. Print its label.")
                return shown, True
        elif action == "receive":
            receive_bag(actor=request.user, bag=bag)
            messages.success(request, f"Bag {bag.identifier} received: its parcels arrived here. Open and check it.")
            return shown, True
        elif action == "check":
            check_form = CheckBagForm(request.POST)
            shown["check_form"] = check_form
            if check_form.is_valid():
                shown["check"] = check_bag(
                    actor=request.user,
                    bag=bag,
                    found=check_form.cleaned_data["found"],
                    weight_kg=check_form.cleaned_data["weight_kg"],
                )
    except ShipmentError as error:
        messages.error(request, error.message)
    return shown, False


def bag_view(model_admin, request, object_id: str):
    bag = _bag(request, object_id)
    shown: dict = {}
    if request.method == "POST":
        shown, done = _act(request, bag, request.POST.get("action", ""))
        if done:
            return redirect(bag_url(Bag.objects.get(pk=bag.pk)))
        bag = _bag(request, str(bag.pk))
    builds = access.may_act_at(request.user, bag.origin_office)
    receives = access.may_act_at(request.user, bag.destination_office)
    context = _context(
        model_admin,
        request,
        f"Bag {bag.identifier or bag.pk}",
        bag=bag,
        groups=groups(bag.identifier) if bag.identifier else [],
        may_build=builds and bag.state == Bag.State.OPEN,
        may_receive=receives and bag.state == Bag.State.DISPATCHED,
        may_check=receives and bag.state == Bag.State.RECEIVED,
        scan_form=shown.get("scan_form") or ScanIntoBagForm(),
        close_form=shown.get("close_form") or CloseBagForm(),
        check_form=shown.get("check_form") or CheckBagForm(),
        results=shown.get("results"),
        check=shown.get("check"),
        # Each step in the zone of the office where it happened.
        timeline=[(event, local_time(event.occurred_at, office_zone(event.office))) for event in bag.events.all()],
    )
    return TemplateResponse(request, "admin/dispatches/bag/bag.html", context)


def label_view(model_admin, request, object_id: str):
    bag = _bag(request, object_id)
    if not bag.identifier:
        messages.error(request, "An open bag has no label yet: close it first.")
        return redirect(bag_url(bag))
    context = {
        "bag": bag,
        "barcode": barcode_svg(bag.identifier),
        "groups": groups(bag.identifier),
        "parcel_count": len(bag.listed),  # type: ignore[attr-defined]
        "paper": "a6" if request.GET.get("paper") == "a6" else "100x150",
        "title": f"Label {bag.identifier}",
    }
    return TemplateResponse(request, "dispatches/bag_label.html", context)


def label_zpl_view(model_admin, request, object_id: str):
    """The bag label in ZPL for a thermal printer (``?dpi=300`` for a 300 dpi one)."""
    bag = _bag(request, object_id)
    if not bag.identifier:
        raise Http404("An open bag has no label yet: close it first.")
    dpi = dpi_from(request.GET.get("dpi"))
    if dpi is None:
        return HttpResponseBadRequest(f"dpi: one of {', '.join(map(str, DPI_CHOICES))}.", content_type="text/plain")
    body = bag_label(bag, parcel_count=len(bag.listed), dpi=dpi)  # type: ignore[attr-defined]
    return zpl_response(body, f"bag-{bag.identifier}.zpl")


def dispatch_view(model_admin, request):
    """The closed bags of the clerk's offices, by dispatch; one button dispatches a dispatch's bags."""
    offices = access.offices_to_act_at(request.user)
    if request.method == "POST":
        keys = request.POST.getlist("bags")
        try:
            bags = [selectors.bag_get_visible(request.user, key) for key in keys]
            dispatch = dispatch_bags(actor=request.user, bags=bags)
        except (ShipmentError, Http404) as error:
            messages.error(request, getattr(error, "message", "Choose bags of your offices."))
        else:
            messages.success(request, f"Dispatched {dispatch.identifier}: print the dispatch list.")
            return redirect("admin:dispatches_bag_dispatch_list", identifier=dispatch.identifier)
    forming = (
        Dispatch.objects.filter(state=Dispatch.State.FORMING, origin_office__in=offices)
        .select_related("origin_office", "destination_office")
        .prefetch_related("bags")
        .order_by("identifier")
    )
    context = _context(model_admin, request, "Dispatch bags", dispatches=forming)
    return TemplateResponse(request, "admin/dispatches/bag/dispatch.html", context)


def dispatch_list_view(model_admin, request, identifier: str):
    try:
        dispatch = selectors.dispatch_get_visible(request.user, identifier)
    except ShipmentError as error:
        raise Http404(error.message) from None
    content = dispatch_list(dispatch)
    if request.GET.get("format") == "csv":
        text = io.StringIO()
        write_csv(content, text)
        response = HttpResponse(text.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="dispatch-{dispatch.identifier}.csv"'
        return response
    return TemplateResponse(
        request, "dispatches/dispatch_list.html", {"list": content, "title": f"Dispatch list {dispatch.identifier}"}
    )


def receive_view(model_admin, request):
    """Receive a bag with one scan of its label."""
    form = ReceiveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            bag = selectors.bag_get_visible(request.user, form.cleaned_data["identifier"])
            bag = receive_bag(actor=request.user, bag=bag)
        except Http404:
            form.add_error("identifier", "Unknown, or not one of the bags you can see.")
        except ShipmentError as error:
            form.add_error("identifier", error.message)
        else:
            messages.success(request, f"Bag {bag.identifier} received: its parcels arrived here. Open and check it.")
            return redirect(bag_url(bag))
    return TemplateResponse(
        request, "admin/dispatches/bag/receive.html", _context(model_admin, request, "Receive a bag", form=form)
    )
