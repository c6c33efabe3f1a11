"""The cost report pages: an office's (its managers and HQ) and the whole
network's (HQ). The numbers, the CSV and the API's are shipments.reports'."""

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, QueryDict
from django.template.response import TemplateResponse

from offices import access
from offices.models import Office

from ..charts import bar_chart, day_chart
from ..exceptions import ShipmentError
from ..reports import CostReport, cost_report, csv_filename, default_range, write_csv
from .forms import ReportForm, add_shipment_error
from .views import _context, _pick_office


def report_view(model_admin, request, office_code: str | None = None):
    offices = access.offices_to_manage(request.user).order_by("code")
    if office_code is None and not offices.exists():
        raise PermissionDenied("Cost reports are for office managers and HQ.")
    # Not "forbidden" for a code: an office you do not manage has no report for you.
    office, response = _pick_office(
        model_admin,
        request,
        offices,
        office_code,
        purpose="report",
        title="Cost reports",
        not_yours="is not an office you manage.",
    )
    if response is not None:
        if getattr(response, "context_data", None) is not None:  # the picker: HQ also gets the whole network
            response.context_data["network_report"] = access.may_view_network_reports(request.user)
        return response
    return _report_page(model_admin, request, office)


def network_report_view(model_admin, request):
    """Every office's charges at once, by origin office too: HQ's view of the network."""
    if not access.may_view_network_reports(request.user):
        raise PermissionDenied("The network's cost report is for HQ.")
    return _report_page(model_admin, request, None)


def _report_page(model_admin, request, office: Office | None):
    data = request.GET if "date_from" in request.GET or "date_to" in request.GET else None
    if data is None:
        date_from, date_to = default_range(office)
        data = {"date_from": date_from, "date_to": date_to}
    form = ReportForm(data)
    report = None
    if form.is_valid():
        try:
            report = cost_report(
                office=office, date_from=form.cleaned_data["date_from"], date_to=form.cleaned_data["date_to"]
            )
        except ShipmentError as error:
            add_shipment_error(form, error)
    if report is not None and request.GET.get("format") == "csv":
        return report_csv(report)
    context = _context(
        model_admin,
        request,
        f"Cost report for {office}" if office else "Cost report for the whole network",
        office=office,
        form=form,
        report=report,
        day_chart=day_chart(report) if report else None,
        # Office codes under the bars: names would overlap.
        origin_chart=bar_chart(report.rows["office"], label=_code) if report and office is None else None,
        destination_chart=bar_chart(report.rows["destination"], label=_code) if report else None,
        csv_url=csv_url(request, form) if report else None,
        network_report=access.may_view_network_reports(request.user),
        media=model_admin.media + form.media,
    )
    return TemplateResponse(request, "admin/shipments/package/report.html", context)


def _code(row) -> str:
    return row.key


def csv_url(request, form: ReportForm) -> str:
    query = QueryDict(mutable=True)
    query["date_from"] = form.cleaned_data["date_from"].isoformat()
    query["date_to"] = form.cleaned_data["date_to"].isoformat()
    query["format"] = "csv"
    return f"{request.path}?{query.urlencode()}"


def report_csv(report: CostReport) -> HttpResponse:
    """The same numbers as the page (shipments.reports.write_csv)."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{csv_filename(report)}"'
    write_csv(report, response)
    return response
