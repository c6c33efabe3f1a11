"""The on-time report pages: an office's (its managers and HQ; another office's
is a 404) and the whole network's (HQ). The numbers and the CSV are shipments.ontime's."""

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.template.response import TemplateResponse

from offices import access
from offices.models import Office

from ..exceptions import ShipmentError
from ..ontime import csv_filename, default_months, on_time_report, write_csv
from .forms import ReportForm, add_shipment_error
from .reports import csv_url
from .views import _context, _pick_office


def on_time_view(model_admin, request, office_code: str | None = None):
    offices = access.offices_to_manage(request.user).order_by("code")
    if office_code is None and not offices.exists():
        raise PermissionDenied("On-time reports are for office managers and HQ.")
    office, response = _pick_office(
        model_admin,
        request,
        offices,
        office_code,
        purpose="on_time",
        title="On-time reports",
        not_yours="is not an office you manage.",
    )
    if response is not None:
        if getattr(response, "context_data", None) is not None:
            response.context_data["network_report"] = access.may_view_network_reports(request.user)
        return response
    return _on_time_page(model_admin, request, office)


def network_on_time_view(model_admin, request):
    if not access.may_view_network_reports(request.user):
        raise PermissionDenied("The network's on-time report is for HQ.")
    return _on_time_page(model_admin, request, None)


def _on_time_page(model_admin, request, office: Office | None):
    data = request.GET if "date_from" in request.GET or "date_to" in request.GET else None
    if data is None:
        date_from, date_to = default_months(office)
        data = {"date_from": date_from, "date_to": date_to}
    form = ReportForm(data)
    report = None
    if form.is_valid():
        try:
            report = on_time_report(
                office=office, date_from=form.cleaned_data["date_from"], date_to=form.cleaned_data["date_to"]
            )
        except ShipmentError as error:
            add_shipment_error(form, error)
    if report is not None and request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{csv_filename(report)}"'
        write_csv(report, response)
        return response
    context = _context(
        model_admin,
        request,
        f"On-time report for {office}" if office else "On-time report for the whole network",
        office=office,
        form=form,
        report=report,
        csv_url=csv_url(request, form) if report else None,
        network_report=access.may_view_network_reports(request.user),
        media=model_admin.media + form.media,
    )
    return TemplateResponse(request, "admin/shipments/package/on_time.html", context)
