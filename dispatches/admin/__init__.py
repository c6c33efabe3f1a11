"""The admin of bags and discrepancies. Rights come from ``offices.access``
(the people of a bag's two offices see it, HQ all); the pages that write are
``dispatches.admin.views``."""

from django.contrib import admin
from django.db.models import Count, Q
from django.urls import path
from django.utils.html import format_html

from dispatches import selectors
from dispatches.models import Bag, Discrepancy
from offices import access
from offices.admin_mixins import RaiseNotFoundMixin

from . import views


@admin.register(Bag)
class BagAdmin(RaiseNotFoundMixin, admin.ModelAdmin):
    list_display = ("bag", "state", "origin_office", "destination_office", "category", "parcel_count", "created_at")
    list_filter = ("state", "category")
    list_select_related = ("origin_office", "destination_office")
    search_fields = ("identifier", "seal")
    search_help_text = "S9 identifier or seal number."
    show_facets = admin.ShowFacets.NEVER

    def get_queryset(self, request):
        return access.restrict(super().get_queryset(request), request.user).annotate(
            parcels=Count("items", filter=Q(items__found_in__isnull=True))
        )

    @admin.display(description="Bag", ordering="identifier")
    def bag(self, bag):
        return bag.identifier or f"{bag.pk} (open)"

    @admin.display(description="Parcels", ordering="parcels")
    def parcel_count(self, bag):
        return bag.parcels

    def has_module_permission(self, request):
        return access.may_use_admin(request.user)

    def has_view_permission(self, request, obj=None):
        return access.may_use_admin(request.user)

    def has_add_permission(self, request):
        # From the access module's per-request cache: the sidebar asks this on every admin page.
        user = request.user
        return access.may_use_admin(user) and (access.is_hq(user) or bool(access.office_ids_worked_at(user)))

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def add_view(self, request, form_url="", extra_context=None):
        return views.open_view(self, request)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        return views.bag_view(self, request, object_id)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("dispatch/", wrap(lambda request: views.dispatch_view(self, request)), name="dispatches_bag_dispatch"),
            path(
                "dispatch/<str:identifier>/",
                wrap(lambda request, identifier: views.dispatch_list_view(self, request, identifier)),
                name="dispatches_bag_dispatch_list",
            ),
            path("receive/", wrap(lambda request: views.receive_view(self, request)), name="dispatches_bag_receive"),
            path(
                "<str:object_id>/label/",
                wrap(lambda request, object_id: views.label_view(self, request, object_id)),
                name="dispatches_bag_label",
            ),
            path(
                "<str:object_id>/label.zpl",
                wrap(lambda request, object_id: views.label_zpl_view(self, request, object_id)),
                name="dispatches_bag_label_zpl",
            ),
            *super().get_urls(),
        ]


@admin.register(Discrepancy)
class DiscrepancyAdmin(admin.ModelAdmin):
    """Open discrepancies: parcels missing from a bag and not seen since (HQ: all; an office: its bags')."""

    list_display = ("tracking_number", "kind", "bag_link", "origin", "destination", "recorded_at", "note")
    show_facets = admin.ShowFacets.NEVER

    def get_queryset(self, request):
        return selectors.discrepancies_open(request.user)

    @admin.display(description="Tracking number")
    def tracking_number(self, discrepancy):
        return discrepancy.package.tracking_number

    @admin.display(description="Bag")
    def bag_link(self, discrepancy):
        return format_html('<a href="{}">{}</a>', views.bag_url(discrepancy.bag), discrepancy.bag.identifier)

    @admin.display(description="From")
    def origin(self, discrepancy):
        return discrepancy.bag.origin_office.code

    @admin.display(description="To")
    def destination(self, discrepancy):
        return discrepancy.bag.destination_office.code

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
