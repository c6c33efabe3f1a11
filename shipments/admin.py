"""The clerks' back-office for packages and tariffs.

Everything a clerk sees is scoped by ``shipments.selectors`` (the same rule as
the API); everything they change goes through ``shipments.services``. Packages,
their tracking events and charges are never edited or deleted here: a status
changes by recording the next event. Built to stay fast on millions of
packages: no full COUNT(*), no SELECT DISTINCT for filter choices, no query
per row.
"""

from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join

from offices import access
from offices.admin_mixins import StaffReadsHQEditsMixin
from offices.models import Office

from . import admin_views
from .days import day_bounds
from .exceptions import InvalidTrackingNumber
from .models import Charge, Package, Tariff, TrackingEvent
from .paginators import EstimatedCountPaginator
from .selectors import package_detail_queryset, package_list, package_next_steps, packages_search
from .services import package_move_batch
from .statuses import Reason, Status
from .tracking_numbers import normalize_tracking_number

# The most packages one changelist action moves; bigger moves go through the scan page.
MAX_ACTION_PACKAGES = 500


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


class OfficeListFilter(admin.RelatedFieldListFilter):
    """Offices by code from the small office table, never counted over packages.

    The three office filters share one query per request.
    """

    def field_choices(self, field, request, model_admin):
        if not hasattr(request, "_office_filter_choices"):
            request._office_filter_choices = list(Office.objects.order_by("code").values_list("pk", "code"))
        return request._office_filter_choices


class DateRangeFilter(admin.FieldListFilter):
    """From/to dates (both included) plus quick ranges, as index-friendly bounds.

    Days are the site's time zone days (settings.TIME_ZONE); the bounds become
    ``created_at >= …`` and ``created_at < …`` so the (office, created_at)
    indexes apply.
    """

    template = "admin/shipments/package/date_range_filter.html"

    def __init__(self, field, request, params, model, model_admin, field_path):
        self.parameter_from = f"{field_path}_from"
        self.parameter_to = f"{field_path}_to"
        self.request = request
        super().__init__(field, request, params, model, model_admin, field_path)
        # FieldListFilter.__init__ moved our parameters into used_parameters.
        self.value_from = self._date(self.used_parameters, self.parameter_from, request)
        self.value_to = self._date(self.used_parameters, self.parameter_to, request)

    def _date(self, params, name, request):
        raw = params.get(name)
        if isinstance(raw, list):
            raw = raw[-1] if raw else None
        if not raw:
            return None
        try:
            return forms.DateField().clean(raw)
        except forms.ValidationError:
            messages.warning(request, f"“{raw}” is not a date (use YYYY-MM-DD); that date filter was ignored.")
            return None

    def expected_parameters(self):
        return [self.parameter_from, self.parameter_to]

    def has_output(self):
        return True

    def queryset(self, request, queryset):
        # The site's days (settings.TIME_ZONE), as the quick ranges below.
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


class ReadOnlyInlineMixin:
    """The timeline and the charges are append-only: shown, never edited here."""

    extra = 0
    can_delete = False
    show_change_link = False

    def has_view_permission(self, request, obj=None):
        return access.may_use_admin(request.user)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class TrackingEventInline(ReadOnlyInlineMixin, admin.TabularInline):
    model = TrackingEvent
    verbose_name = "tracking event"
    verbose_name_plural = "Timeline"
    fields = ("occurred_at", "status", "office", "reason", "received_by", "note", "recorded_by", "source")
    readonly_fields = fields
    ordering = ("occurred_at", "id")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("office", "recorded_by").order_by("occurred_at", "id")


class ChargeInline(ReadOnlyInlineMixin, admin.TabularInline):
    model = Charge
    verbose_name_plural = "Charges"
    fields = ("charged_at", "kind", "office", "total", "currency")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("office")


class PackageChangeList(ChangeList):
    """Reads only the columns the list shows: a package row is wide (parties,
    parcel facts, frozen cost), the list needs a dozen of its fields."""

    columns = (
        "tracking_number",
        "status",
        "service",
        "origin_office__code",
        "current_office__code",
        "destination_office__code",
        "sender_name",
        "receiver_name",
        "created_at",
        "expected_delivery_at",
    )

    def get_queryset(self, request, exclude_parameters=None):
        return super().get_queryset(request, exclude_parameters).only(*self.columns)


@admin.register(Package)
class PackageAdmin(admin.ModelAdmin):
    list_display = (
        "tracking_number",
        "status",
        "service",
        "origin",
        "current",
        "destination",
        "sender",
        "receiver",
        "registered",
        "expected",
    )
    list_select_related = ("origin_office", "current_office", "destination_office")
    list_filter = (
        TouchesOfficeFilter,
        "status",
        "service",
        ("origin_office", OfficeListFilter),
        ("current_office", OfficeListFilter),
        ("destination_office", OfficeListFilter),
        ("created_at", DateRangeFilter),
    )
    # Only what an index can sort at a million rows.
    sortable_by = ("registered",)
    search_fields = ("tracking_number",)  # see get_search_results: exact number, phone or name
    search_help_text = "A tracking number (exact), a phone number (exact) or part of a sender's or receiver's name."
    list_per_page = 50
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    paginator = EstimatedCountPaginator
    autocomplete_fields = ("origin_office", "current_office", "destination_office")
    inlines = (TrackingEventInline, ChargeInline)
    actions = ("mark_accepted", "mark_in_transit", "mark_arrived", "mark_out_for_delivery", "mark_ready_for_pickup")
    change_form_template = "admin/shipments/package/change_form.html"
    change_list_template = "admin/shipments/package/change_list.html"
    fieldsets = [
        (
            None,
            {
                "fields": [
                    ("tracking_number", "status"),
                    ("service", "transit_days"),
                    ("origin_office", "current_office", "destination_office"),
                    ("created_at", "created_by"),
                    ("accepted_at", "expected_delivery_at"),
                    ("delivered_at", "received_by"),
                ]
            },
        ),
        ("Parcel", {"fields": [("weight_grams", "dimensions", "chargeable_weight_grams"), "declared_value_display"]}),
        ("Cost (frozen at registration)", {"fields": ["cost_breakdown"]}),
        (
            "Sender",
            {"fields": [("sender_name", "sender_phone", "sender_email"), "sender_address", "sender_notifications"]},
        ),
        (
            "Receiver",
            {
                "fields": [
                    ("receiver_name", "receiver_phone", "receiver_email"),
                    "receiver_address",
                    "receiver_notifications",
                ]
            },
        ),
    ]

    # --- columns and read-only facts ---

    @admin.display(description="From", ordering="origin_office__code")
    def origin(self, package):
        return package.origin_office.code

    @admin.display(description="At")
    def current(self, package):
        return package.current_office.code if package.current_office_id else "in transit"

    @admin.display(description="To")
    def destination(self, package):
        return package.destination_office.code

    @admin.display(description="Sender")
    def sender(self, package):
        return package.sender_name

    @admin.display(description="Receiver")
    def receiver(self, package):
        return package.receiver_name

    @admin.display(description="Registered", ordering="created_at")
    def registered(self, package):
        return date_format(timezone.localtime(package.created_at), "SHORT_DATETIME_FORMAT")

    @admin.display(description="Expected")
    def expected(self, package):
        if package.expected_delivery_at is None:
            return "—"
        return date_format(timezone.localtime(package.expected_delivery_at), "SHORT_DATE_FORMAT")

    @admin.display(description="Dimensions")
    def dimensions(self, package):
        return f"{package.length_cm} × {package.width_cm} × {package.height_cm} cm"

    @admin.display(description="Declared value")
    def declared_value_display(self, package):
        return f"{package.declared_value} {package.currency}"

    @admin.display(description="Breakdown")
    def cost_breakdown(self, package):
        parts = [
            ("Base", package.cost_base),
            ("Weight", package.cost_weight),
            (f"Distance ({package.distance_km} km)", package.cost_distance),
            ("Insurance", package.cost_insurance),
            ("Surcharges", package.cost_surcharges),
            ("Tax", package.cost_tax),
        ]
        rows = format_html_join("", "<tr><td>{}</td><td class='money'>{}</td></tr>", parts)
        return format_html(
            "<table class='cost-breakdown'>{}<tr class='total'><th>Total</th><th class='money'>{} {}</th></tr></table>",
            rows,
            package.cost_total,
            package.cost_currency,
        )

    @admin.display(description="Notifications")
    def sender_notifications(self, package):
        return _channels(package.sender_notify_sms, package.sender_notify_email)

    @admin.display(description="Notifications")
    def receiver_notifications(self, package):
        return _channels(package.receiver_notify_sms, package.receiver_notify_email)

    def get_readonly_fields(self, request, obj=None):
        return [
            field
            for line in (line for _, options in self.fieldsets for line in options["fields"])
            for field in (line if isinstance(line, tuple) else (line,))
        ]

    # --- scoping and permissions ---

    def get_queryset(self, request):
        return package_list(request.user)

    def get_changelist(self, request, **kwargs):
        return PackageChangeList

    def get_object(self, request, object_id, from_field=None):
        """By database id (admin links) or by tracking number (/admin/shipments/package/EE…US/change/).

        Unknown and not visible are the same 404, as in the API. Cached for the
        request: the change page asks twice.
        """
        cache = request.__dict__.setdefault("_packages_by_id", {})
        object_id = str(object_id)
        if object_id in cache:
            return cache[object_id]
        queryset = package_detail_queryset(request.user)
        if object_id.isdigit():
            package = queryset.filter(pk=int(object_id)).first()
        else:
            try:
                package = queryset.filter(tracking_number=normalize_tracking_number(object_id)).first()
            except InvalidTrackingNumber:
                package = None
        if package is None:
            raise Http404("No such package among the packages you can see.")
        cache[object_id] = cache[str(package.pk)] = package
        return package

    def get_search_results(self, request, queryset, search_term):
        return packages_search(queryset, search_term), False

    def has_module_permission(self, request):
        return access.may_use_admin(request.user)

    def has_view_permission(self, request, obj=None):
        return access.may_use_admin(request.user)

    def has_add_permission(self, request):
        # Registering: HQ anywhere, a clerk at their own offices.
        return access.may_use_admin(request.user)

    def has_change_permission(self, request, obj=None):
        # A package's facts are frozen; its status changes through the next-step buttons.
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    # --- pages ---

    def get_urls(self):
        def wrap(view):
            def wrapper(request, *args, **kwargs):
                if not access.may_use_admin(request.user):
                    raise PermissionDenied
                return view(self, request, *args, **kwargs)

            return self.admin_site.admin_view(wrapper)

        custom = [
            path("scan/", wrap(admin_views.scan_view), name="shipments_package_scan_pick"),
            path("scan/<str:office_code>/", wrap(admin_views.scan_view), name="shipments_package_scan"),
            path("report/", wrap(admin_views.report_view), name="shipments_package_report_pick"),
            path("report/<str:office_code>/", wrap(admin_views.report_view), name="shipments_package_report"),
            path("<path:object_id>/label/", wrap(admin_views.label_view), name="shipments_package_label"),
            path(
                "<path:object_id>/record-event/",
                wrap(admin_views.record_event_view),
                name="shipments_package_record_event",
            ),
        ]
        return custom + super().get_urls()

    def add_view(self, request, form_url="", extra_context=None):
        return admin_views.register_view(self, request)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        package = self.get_object(request, object_id)
        extra_context = {
            **(extra_context or {}),
            "next_steps": self.next_steps(request, package),
            "label_url": reverse("admin:shipments_package_label", args=[package.pk]),
        }
        return super().change_view(request, str(package.pk), form_url, extra_context)

    def next_steps(self, request, package) -> list[dict]:
        """The next-step buttons of the package page (shipments.selectors.package_next_steps)."""
        offices = my_offices(request)
        steps = package_next_steps(request.user, package, {office.pk for office in offices})
        return [{**vars(step), "offices": offices, "reasons": Reason.choices} for step in steps]

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "scan_offices": [office.code for office in my_offices(request)],
        }
        return super().changelist_view(request, extra_context)

    # --- bulk moves on the changelist ---

    def _bulk_move(self, request, queryset, status):
        """Record ``status`` for each selected package, each on its own, and say what happened."""
        selected = list(queryset.order_by("pk")[: MAX_ACTION_PACKAGES + 1])
        if len(selected) > MAX_ACTION_PACKAGES:
            self.message_user(
                request,
                f"Select at most {MAX_ACTION_PACKAGES} packages at once; use the scan page for bigger batches.",
                messages.ERROR,
            )
            return
        results = package_move_batch(actor=request.user, packages=selected, status=status)
        done = [f"{r.tracking_number}{f' at {r.office.code}' if r.office else ''}" for r in results if r.done]
        refused = [f"{r.tracking_number}: {r.message}" for r in results if not r.done]
        label = Status(status).label.lower()
        if done:
            self.message_user(request, f"{len(done)} marked {label}: {', '.join(done)}.", messages.SUCCESS)
        if refused:
            shown = refused[:20]
            more = f" (and {len(refused) - 20} more)" if len(refused) > 20 else ""
            self.message_user(request, f"{len(refused)} refused{more}: " + " · ".join(shown), messages.WARNING)

    @admin.action(description="Accept at my office (sent)")
    def mark_accepted(self, request, queryset):
        self._bulk_move(request, queryset, Status.ACCEPTED)

    @admin.action(description="Mark in transit (leaving my office)")
    def mark_in_transit(self, request, queryset):
        self._bulk_move(request, queryset, Status.IN_TRANSIT)

    @admin.action(description="Mark arrived at my office (received)")
    def mark_arrived(self, request, queryset):
        self._bulk_move(request, queryset, Status.ARRIVED)

    @admin.action(description="Mark out for delivery from my office")
    def mark_out_for_delivery(self, request, queryset):
        self._bulk_move(request, queryset, Status.OUT_FOR_DELIVERY)

    @admin.action(description="Mark ready for pickup at my office")
    def mark_ready_for_pickup(self, request, queryset):
        self._bulk_move(request, queryset, Status.READY_FOR_PICKUP)


def _channels(sms: bool, email: bool) -> str:
    chosen = [name for name, wanted in (("SMS", sms), ("email", email)) if wanted]
    return ", ".join(chosen) if chosen else "none"


@admin.register(Tariff)
class TariffAdmin(StaffReadsHQEditsMixin, admin.ModelAdmin):
    """Prices are set by HQ; clerks may look them up."""

    list_display = (
        "service",
        "transit_days",
        "base_fee",
        "per_kg",
        "per_km",
        "insurance_rate",
        "surcharge_rate",
        "tax_rate",
        "currency",
        "updated_at",
    )
    readonly_fields = ("updated_at",)
    show_facets = admin.ShowFacets.NEVER

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            # Switching a tariff to another service would silently re-price it.
            return ("service", "updated_at")
        return self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        # Without its tariff a service cannot be quoted; change the prices instead.
        return False
