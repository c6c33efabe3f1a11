"""The counter's money in the admin: the clerk's till and its cash-up, a
package's payments, the manager's day close (printable, CSV), HQ's network
day and the COD remittance list. Pages hang off the till admin; every write
goes through counter.services, counter.tills, counter.days and counter.cod."""

from datetime import date

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from offices import access
from offices.admin_mixins import StaffReadsHQEditsMixin
from offices.models import Office
from shipments.exceptions import ShipmentError
from shipments.ids import is_row_id
from shipments.models import Package

from . import selectors
from .cod import remittance_pay, remittances_due
from .days import csv_filename, day_close, day_problem, day_summary, network_summary, write_csv
from .forms import payment_fields, tender_from
from .models import CounterSettings, Payment, Till
from .services import office_day, payment_record
from .tills import till_close, till_expected, till_open


class TillOpenForm(forms.Form):
    office = forms.ModelChoiceField(queryset=Office.objects.none(), empty_label=None)
    opening_float = forms.DecimalField(label="Float counted", max_digits=12, decimal_places=2, min_value=0)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["office"].queryset = access.offices_to_act_at(user).order_by("code")


class CashUpForm(forms.Form):
    counted = forms.DecimalField(
        label="Counted in the drawer", max_digits=12, decimal_places=2, min_value=0, required=False
    )
    denominations = forms.CharField(
        label="Or by denomination",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 24}),
        help_text="One per line: value × pieces, e.g. 20.00 x 3",
    )
    note = forms.CharField(label="Note", required=False, widget=forms.Textarea(attrs={"rows": 2, "cols": 40}))

    def clean_denominations(self) -> dict[str, int]:
        pieces: dict[str, int] = {}
        for line in self.cleaned_data["denominations"].splitlines():
            if not line.strip():
                continue
            value, _, count = line.lower().replace("×", "x").partition("x")
            if not (count.strip().isascii() and count.strip().isdigit()) or len(count.strip()) > 6:
                raise forms.ValidationError(f"“{line.strip()[:30]}”: write value x pieces, e.g. 20.00 x 3.")
            pieces[value.strip()] = pieces.get(value.strip(), 0) + int(count)
        return pieces


class PackagePaymentForm(forms.Form):
    kind = forms.ChoiceField(choices=Payment.Kind.choices)
    amount = forms.DecimalField(max_digits=12, decimal_places=2, required=False, help_text="Empty: what is due.")
    reason = forms.CharField(max_length=500, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(payment_fields())
        del self.fields["cod_amount"]
        self.fields["payment_method"].choices = self.fields["payment_method"].choices[:-1]  # no "not paid"


@admin.register(CounterSettings)
class CounterSettingsAdmin(StaffReadsHQEditsMixin, admin.ModelAdmin):
    """An office's money settings (unpaid parcels, the cash-up's variance limit, the COD limit): HQ sets them."""

    list_display = ("office", "unpaid_allowed", "variance_limit", "cod_limit")
    autocomplete_fields = ("office",)

    def has_delete_permission(self, request, obj=None):
        return access.may_edit_network(request.user)


@admin.register(Till)
class TillAdmin(admin.ModelAdmin):
    """Tills are read here; they are opened and cashed up on the Cash-up page."""

    list_display = ("pk", "office", "clerk", "day", "opened_at", "opening_float", "closed_at", "expected", "variance")
    list_filter = ("day",)
    ordering = ("-opened_at",)

    def get_queryset(self, request):
        return selectors.tills_visible(request.user)

    def has_module_permission(self, request):
        return access.may_use_admin(request.user)

    def has_view_permission(self, request, obj=None):
        return access.may_use_admin(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("cash-up/", wrap(self.cashup_view), name="counter_till_cashup"),
            path("day/<str:code>/<str:day>/", wrap(self.day_view), name="counter_till_day"),
            path("day/<str:code>/<str:day>/csv/", wrap(self.day_csv_view), name="counter_till_day_csv"),
            path("network/<str:day>/", wrap(self.network_view), name="counter_till_network"),
            path("remittances/", wrap(self.remittances_view), name="counter_till_remittances"),
            path("pay/<int:package_id>/", wrap(self.package_payment_view), name="counter_till_pay"),
            *super().get_urls(),
        ]

    def _page(self, request, template: str, title: str, **extra) -> TemplateResponse:
        context = {**self.admin_site.each_context(request), "opts": Till._meta, "title": title, **extra}
        return TemplateResponse(request, f"admin/counter/{template}", context)

    # --- the clerk's till ------------------------------------------------------

    def cashup_view(self, request):
        till = Till.objects.filter(clerk=request.user, closed_at__isnull=True).select_related("office").first()
        open_form = TillOpenForm(request.POST if "_open" in request.POST else None, user=request.user)
        cashup_form = CashUpForm(request.POST if "_close" in request.POST else None)
        try:
            if "_open" in request.POST and open_form.is_valid():
                data = open_form.cleaned_data
                till = till_open(actor=request.user, office=data["office"], opening_float=data["opening_float"])
                messages.success(request, f"Till open at {till.office.code} with {till.opening_float} {till.currency}.")
                return redirect("admin:counter_till_cashup")
            if "_close" in request.POST and till is not None and cashup_form.is_valid():
                data = cashup_form.cleaned_data
                closed = till_close(
                    actor=request.user,
                    till=till,
                    counted=data["counted"],
                    denominations=data["denominations"] or None,
                    note=data["note"],
                )
                messages.success(
                    request,
                    f"Till closed: expected {closed.expected}, counted {closed.counted}, "
                    f"variance {closed.variance} {closed.currency}.",
                )
                return redirect("admin:counter_till_cashup")
        except ShipmentError as error:
            form = open_form if "_open" in request.POST else cashup_form
            for field, message in error.details.items():
                if field in form.fields and isinstance(message, str):
                    form.add_error(field, message)
            form.add_error(None, error.message)
        recent = selectors.tills_visible(request.user).filter(clerk=request.user)[:10]
        return self._page(
            request,
            "cashup.html",
            "Cash-up",
            till=till,
            expected=till_expected(till) if till else None,
            open_form=open_form,
            cashup_form=cashup_form,
            recent=recent,
        )

    def package_payment_view(self, request, package_id: int):
        package = access.restrict(Package.objects.all(), request.user).filter(pk=package_id).first()
        if package is None:
            raise Http404
        back = reverse("admin:shipments_package_change", args=[package.pk])
        form = PackagePaymentForm(request.POST or None)
        if request.method != "POST":
            return redirect(back)
        if not form.is_valid():
            problems = "; ".join(str(message) for errors in form.errors.values() for message in errors)
            messages.error(request, f"Nothing recorded: {problems}")
            return redirect(back)
        data = form.cleaned_data
        tender = tender_from(data)
        try:
            if tender is None:
                raise ShipmentError("Say how it was paid.")
            payment = payment_record(
                package=package,
                actor=request.user,
                kind=data["kind"],
                tender=tender,
                amount=data["amount"],
                reason=data["reason"],
            )
        except ShipmentError as error:
            messages.error(request, f"Nothing recorded: {error.message}")
        else:
            change = f", change {payment.change}" if payment.change else ""
            messages.success(
                request,
                f"{payment.get_kind_display()} of {abs(payment.amount)} {payment.currency} "
                f"({payment.get_method_display().lower()}{change}) recorded.",
            )
        return redirect(back)

    # --- the day ---------------------------------------------------------------

    def _day(self, office: Office | None, text: str) -> date:
        try:
            day = date.fromisoformat(text)
        except ValueError:
            raise Http404("Not a day.") from None
        if day_problem(day, office_day(office) if office else timezone.now().date()):
            raise Http404("Not a day that can be shown.")
        return day

    def _office(self, request, code: str) -> Office:
        office = access.offices_to_manage(request.user).filter(code=code.upper()).first()
        if office is None:
            raise PermissionDenied
        return office

    def day_view(self, request, code: str, day: str):
        office = self._office(request, code)
        the_day = self._day(office, day)
        if request.method == "POST" and "_close_day" in request.POST:
            try:
                day_close(actor=request.user, office=office, day=the_day)
            except ShipmentError as error:
                messages.error(request, f"The day is not closed: {error.message}")
            else:
                messages.success(request, f"The day {the_day} of {office.code} is closed.")
            return redirect("admin:counter_till_day", code=office.code, day=the_day.isoformat())
        summary = day_summary(office, the_day)
        return self._page(request, "day.html", f"Day close of {office.code}, {the_day}", summary=summary)

    def day_csv_view(self, request, code: str, day: str):
        office = self._office(request, code)
        summary = day_summary(office, self._day(office, day))
        response = HttpResponse(write_csv(summary), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{csv_filename(summary)}"'
        return response

    def network_view(self, request, day: str):
        if not access.may_view_network_reports(request.user):
            raise PermissionDenied
        summary = network_summary(self._day(None, day))
        return self._page(request, "day.html", f"The network's day, {summary.day}", summary=summary)

    # --- COD remittances -----------------------------------------------------------

    def remittances_view(self, request):
        offices = access.offices_to_manage(request.user)
        if not offices.exists():
            raise PermissionDenied
        if request.method == "POST":
            raw = request.POST.get("payment", "")
            chosen = int(raw) if is_row_id(raw) else 0
            payment = remittances_due(None).filter(pk=chosen).first()
            if payment is None or payment.package.origin_office not in offices:
                raise Http404
            try:
                remittance_pay(
                    actor=request.user, payment=payment, bank_reference=request.POST.get("bank_reference", "")
                )
            except ShipmentError as error:
                messages.error(request, f"Nothing paid out: {error.message}")
            else:
                messages.success(request, f"Paid out {payment.amount} {payment.currency} for {payment.package}.")
            return redirect("admin:counter_till_remittances")
        due = remittances_due(None).filter(package__origin_office__in=offices)
        return self._page(request, "remittances.html", "COD remittances", payments=due[:500])
