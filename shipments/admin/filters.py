"""List filters of the package changelist: cheap at a million packages (choices
from the small office table, never counted or DISTINCTed over packages)."""

from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.db.models import Q
from django.utils import timezone

from offices import access
from offices.models import Office

from ..days import day_bounds, day_out_of_range
from ..selectors import incoming_to, on_hand_at, packages_overdue


def my_offices(request) -> list[Office]:
    """The offices where the user may act, by code; one query per request."""
    if not hasattr(request, "_my_offices"):
        # Codes and names are all the counter links and filters show.
        offices = access.offices_to_act_at(request.user).select_related(None).only("code", "name")
        request._my_offices = list(offices.order_by("code"))
    return request._my_offices


class TouchesOfficeFilter(admin.SimpleListFilter):
    """Packages leaving from, waiting at or heading to one of the user's offices."""

    title = "my office"
    parameter_name = "office"

    def lookups(self, request, model_admin):
        # Choices come from the small office table, never from the packages.
        # Only useful to clerks of several offices: a one-office clerk sees
        # just that office's packages anyway, and HQ has the office filters.
        if access.is_hq(request.user) or len(my_offices(request)) < 2:
            return []
        return [(office.code, str(office)) for office in my_offices(request)]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        office = next((office.pk for office in my_offices(request) if office.code == self.value()), None)
        if office is None:
            return queryset.none()
        return queryset.filter(
            Q(origin_office_id=office) | Q(current_office_id=office) | Q(destination_office_id=office)
        )


class OverdueFilter(admin.SimpleListFilter):
    """Past the expected delivery and not delivered, returned, cancelled or lost
    (shipments.selectors.packages_overdue: one partial index answers it)."""

    title = "delivery"
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", "Overdue")]

    def queryset(self, request, queryset):
        if self.value() != "yes":
            return queryset
        return packages_overdue(queryset, timezone.now())


class DirectionFilter(admin.SimpleListFilter):
    """On the way to the receiver, or back to the sender (``Package.returning``;
    the partial index ``package_returning_created_idx`` lists the returning newest first)."""

    title = "direction"
    parameter_name = "direction"

    def lookups(self, request, model_admin):
        return [("returning", "Returning to sender"), ("outbound", "To the receiver")]

    def queryset(self, request, queryset):
        if self.value() in ("returning", "outbound"):
            return queryset.filter(returning=self.value() == "returning")
        return queryset


def office_choices(request) -> list[tuple[int, str, str]]:
    """Every office as (id, code, name), by code: the suggestions of the office
    filters, from the small office table; one query per request."""
    if not hasattr(request, "_office_choices"):
        request._office_choices = list(Office.objects.order_by("code").values_list("pk", "code", "name"))
    return request._office_choices


class OfficeCodeFilter(admin.FieldListFilter):
    """One office, by its code: a search box whose suggestions are every office's
    code and name (``<input list>`` over the page's one ``<datalist>``,
    templates/admin/shipments/package/change_list.html), not a link per office:
    a network of 210 offices made three filters of 210 links each.

    The parameter is the field's name with an office code, as in the API
    (``?origin_office=NYC01``). Never counted or DISTINCTed over packages.
    """

    template = "admin/shipments/package/office_filter.html"
    # Its query-string parameter is the field path itself (offices.admin_mixins.OfferedFiltersOnlyMixin).
    parameter_suffixes = ("",)

    def __init__(self, field, request, params, model, model_admin, field_path):
        self.parameter = field_path
        self.request = request
        super().__init__(field, request, params, model, model_admin, field_path)
        raw = self.used_parameters.get(self.parameter)
        typed = (raw[-1] if isinstance(raw, list) else raw or "").strip()
        # A code in any case, or an office's whole name (what a suggestion shows beside its code).
        wanted = typed.casefold()
        office = next(
            (
                (pk, code)
                for pk, code, name in office_choices(request)
                if wanted and wanted in (code.casefold(), name.casefold())
            ),
            None,
        )
        self.office_id, self.value = office if office else (None, "")
        if typed and office is None:
            shown = typed if len(typed) <= 30 else typed[:30] + "…"
            messages.warning(request, f"“{shown}” is not an office code; that office filter was ignored.")

    def expected_parameters(self):
        return [self.parameter]

    def has_output(self):
        return True

    def queryset(self, request, queryset):
        if self.office_id is None:
            return queryset
        return self.filter_office(queryset, self.office_id)

    def filter_office(self, queryset, office_id: int):
        return queryset.filter(**{f"{self.field_path}_id": office_id})

    def choices(self, changelist):
        yield {
            "selected": self.office_id is None,
            "query_string": changelist.get_query_string(remove=[self.parameter, "p"]),
            "display": "Any office",
        }

    def hidden_params(self):
        """Every other active parameter, so the office form keeps the other filters and the search."""
        skip = {self.parameter, "p"}
        return [(key, value) for key, values in self.request.GET.lists() if key not in skip for value in values]


class DateRangeFilter(admin.FieldListFilter):
    """From/to dates (both included) plus quick ranges, as index-friendly bounds.

    Days are the clerk's days: the zone the admin runs in for them (their
    office's, UTC for HQ without one; offices.middleware). The bounds become
    ``created_at >= …`` and ``created_at < …`` so the (office, created_at)
    indexes apply.
    """

    template = "admin/shipments/package/date_range_filter.html"
    # Its query-string parameters after the field path (offices.admin_mixins.OfferedFiltersOnlyMixin).
    parameter_suffixes = ("_from", "_to")

    def __init__(self, field, request, params, model, model_admin, field_path):
        self.parameter_from = f"{field_path}_from"
        self.parameter_to = f"{field_path}_to"
        self.request = request
        super().__init__(field, request, params, model, model_admin, field_path)
        # FieldListFilter.__init__ moved our parameters into used_parameters.
        self.value_from = self._date(self.used_parameters, self.parameter_from, request)
        self.value_to = self._date(self.used_parameters, self.parameter_to, request)
        if self.value_from and self.value_to and self.value_to < self.value_from:
            # Said as the cost report says it, rather than an empty list that looks like no parcels.
            messages.error(
                request,
                f"The end date is before the start date ({self.value_to} before {self.value_from}); "
                "that date filter was ignored.",
            )
            self.value_from = self.value_to = None

    def _date(self, params, name, request):
        raw = params.get(name)
        if isinstance(raw, list):
            raw = raw[-1] if raw else None
        if not raw:
            return None
        try:
            day = forms.DateField().clean(raw)
        except forms.ValidationError:
            messages.warning(request, f"“{raw}” is not a date (use YYYY-MM-DD); that date filter was ignored.")
            return None
        problem = day_out_of_range(day)
        if problem:
            messages.warning(request, f"{problem} “{raw}” was ignored.")
            return None
        return day

    def expected_parameters(self):
        return [self.parameter_from, self.parameter_to]

    def has_output(self):
        return True

    def queryset(self, request, queryset):
        # The clerk's days, as the quick ranges below.
        start, end = day_bounds(self.value_from, self.value_to, timezone.get_current_timezone())
        if start is not None:
            queryset = queryset.filter(**{f"{self.field_path}__gte": start})
        if end is not None:
            queryset = queryset.filter(**{f"{self.field_path}__lt": end})
        return queryset

    def choices(self, changelist):
        today = timezone.localdate()
        remove = [self.parameter_from, self.parameter_to]
        yield {
            "selected": not (self.value_from or self.value_to),
            "query_string": changelist.get_query_string(remove=remove),
            "display": "Any date",
        }
        for title, days in (("Today", 0), ("Past 7 days", 6), ("Past 30 days", 29), ("Past 90 days", 89)):
            start = today - timedelta(days=days)
            yield {
                "selected": self.value_from == start and self.value_to == today,
                "query_string": changelist.get_query_string(
                    {self.parameter_from: start.isoformat(), self.parameter_to: today.isoformat()}
                ),
                "display": title,
            }

    def hidden_params(self):
        """Every other active parameter, so the date form keeps the other filters."""
        skip = {self.parameter_from, self.parameter_to, "p"}
        return [(key, value) for key, values in self.request.GET.lists() if key not in skip for value in values]


class OnHandFilter(OfficeCodeFilter):
    """Packages physically at one office now: the same rule as the API's
    ``direction=on_hand`` (shipments.selectors.on_hand_at)."""

    def __init__(self, field, request, params, model, model_admin, field_path):
        super().__init__(field, request, params, model, model_admin, field_path)
        self.title = "on hand at"

    def filter_office(self, queryset, office_id: int):
        return on_hand_at(queryset, office_id)


class IncomingFilter(admin.SimpleListFilter):
    """On their way to one of the offices the user works at (not delivered,
    returned, cancelled or lost): the API's ``direction=incoming``
    (shipments.selectors.incoming_to). HQ without an office has the
    destination filter instead."""

    title = "incoming"
    parameter_name = "incoming"

    def _offices(self, request) -> list[Office]:
        worked_at = set(access.office_ids_worked_at(request.user))
        return [office for office in my_offices(request) if office.pk in worked_at]

    def lookups(self, request, model_admin):
        return [(office.code, f"Incoming to {office.code}") for office in self._offices(request)]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        office = next((office.pk for office in self._offices(request) if office.code == self.value()), None)
        if office is None:
            return queryset.none()
        return incoming_to(queryset, office)
