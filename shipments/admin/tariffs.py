"""Tariffs in the admin: HQ sets the prices, clerks look them up."""

from django.contrib import admin

from offices.admin_mixins import StaffReadsHQEditsMixin

from ..models import Tariff


# The most packages one changelist action moves; bigger moves go through the scan page.
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
