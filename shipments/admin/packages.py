"""The clerks' back-office for packages and tariffs.

Everything a clerk sees is scoped by ``shipments.selectors`` (the same rule as
the API); everything they change goes through ``shipments.services``. Packages,
their tracking events and charges are never edited or deleted here: a status
changes by recording the next event. Built to stay fast on millions of
packages: no full COUNT(*), no SELECT DISTINCT for filter choices, no query
per row.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path, reverse

from notifications.inlines import NotificationInline
from offices import access
from offices.admin_mixins import OfferedFiltersChangeList, OfferedFiltersOnlyMixin

from ..exceptions import InvalidTrackingNumber
from ..ids import is_row_id
from ..models import Package
from ..paginators import EstimatedCountPaginator
from ..selectors import package_detail_queryset, package_list, package_next_steps, packages_search
from ..statuses import Reason
from ..tracking_numbers import check_digit_problem, normalize_tracking_number
from . import ontime as ontime_views
from . import reports as report_views
from . import steps as step_views
from . import views as admin_views
from .columns import PackageColumnsMixin
from .filters import (
    DateRangeFilter,
    DirectionFilter,
    IncomingFilter,
    OfficeCodeFilter,
    OnHandFilter,
    OverdueFilter,
    TouchesOfficeFilter,
    my_offices,
    office_choices,
)
from .inlines import ChargeInline, PackageChangeInline, TrackingEventInline
from .labels import LabelActionsMixin
from .moves import BulkMovesMixin, ReturnActionForm


class PackageChangeList(OfferedFiltersChangeList):
    """Reads only the columns the list shows: a package row is wide (parties,
    parcel facts, frozen cost), the list needs a dozen of its fields. Takes
    only the parameters of the list's filters (OfferedFiltersChangeList)."""

    columns = (
        "tracking_number",
        "status",
        "returning",
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
class PackageAdmin(BulkMovesMixin, LabelActionsMixin, OfferedFiltersOnlyMixin, PackageColumnsMixin, admin.ModelAdmin):
    list_display = (
        "tracking_number",
        "status",
        "direction",
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
    # The clerk's own views first, then the dates (in reach at the top), then the rest;
    # office filters are search boxes, not a link per office (210 offices).
    list_filter = (
        TouchesOfficeFilter,
        IncomingFilter,
        ("created_at", DateRangeFilter),
        OverdueFilter,
        DirectionFilter,
        "status",
        "service",
        ("origin_office", OfficeCodeFilter),
        ("current_office", OnHandFilter),
        ("destination_office", OfficeCodeFilter),
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
    inlines = (TrackingEventInline, PackageChangeInline, NotificationInline, ChargeInline)
    actions = (
        "mark_accepted",
        "mark_in_transit",
        "mark_arrived",
        "mark_out_for_delivery",
        "mark_ready_for_pickup",
        "return_to_sender",
        "print_labels_zpl",
        "print_labels_pages",
    )
    action_form = ReturnActionForm
    change_form_template = "admin/shipments/package/change_form.html"
    change_list_template = "admin/shipments/package/change_list.html"
    fieldsets = [
        (
            None,
            {
                "fields": [
                    ("tracking_number", "status", "direction"),
                    ("service", "transit_days"),
                    ("origin_office", "current_office", "destination_office"),
                    ("registered_time", "created_by"),
                    ("accepted_time", "expected_time"),
                    ("delivered_time", "received_by"),
                ]
            },
        ),
        (
            "Parcel",
            {
                "fields": [
                    ("weight_grams", "dimensions", "chargeable_weight_grams"),
                    ("declared_value_display", "collection_code_requested"),
                ]
            },
        ),
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
        if is_row_id(object_id):
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
        problem = check_digit_problem(search_term)
        if problem:
            messages.warning(request, problem)
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
            path("report/", wrap(report_views.report_view), name="shipments_package_report_pick"),
            # Before the offices' reports; no office code has a hyphen or lower case.
            path(
                "report/all-offices/",
                wrap(report_views.network_report_view),
                name="shipments_package_report_network",
            ),
            path("report/<str:office_code>/", wrap(report_views.report_view), name="shipments_package_report"),
            path("on-time/", wrap(ontime_views.on_time_view), name="shipments_package_on_time_pick"),
            path(
                "on-time/all-offices/",
                wrap(ontime_views.network_on_time_view),
                name="shipments_package_on_time_network",
            ),
            path("on-time/<str:office_code>/", wrap(ontime_views.on_time_view), name="shipments_package_on_time"),
            path("<path:object_id>/label/", wrap(admin_views.label_view), name="shipments_package_label"),
            path("<path:object_id>/label.zpl", wrap(admin_views.label_zpl_view), name="shipments_package_label_zpl"),
            path("<path:object_id>/receipt/", wrap(admin_views.receipt_view), name="shipments_package_receipt"),
            path(
                "<path:object_id>/record-event/",
                wrap(step_views.record_event_view),
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
            "label_zpl_url": reverse("admin:shipments_package_label_zpl", args=[package.pk]),
            "receipt_url": reverse("admin:shipments_package_receipt", args=[package.pk]),
        }
        return super().change_view(request, str(package.pk), form_url, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        """A package's history is its timeline, on its page: the admin's change
        log has nothing to show (packages are never edited here)."""
        package = self.get_object(request, object_id)
        return redirect(f"{reverse('admin:shipments_package_change', args=[package.pk])}#events-group")

    def next_steps(self, request, package) -> list[dict]:
        """The next-step buttons of the package page (shipments.selectors.package_next_steps)."""
        offices = my_offices(request)
        steps = package_next_steps(request.user, package, {office.pk for office in offices})
        return [{**vars(step), "offices": offices, "reasons": Reason.choices} for step in steps]

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "scan_offices": [office.code for office in my_offices(request)],
            # The suggestions of the office filters' search boxes, once for all three.
            "office_choices": office_choices(request),
            # The list needs the width of a counter's 1280 px screen; the apps are a click away (breadcrumbs).
            "is_nav_sidebar_enabled": False,
        }
        return super().changelist_view(request, extra_context)
