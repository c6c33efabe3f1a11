"""Tariffs in the admin: HQ sets the prices, clerks look them up."""

from django.contrib import admin

from offices.admin_mixins import OfferedFiltersOnlyMixin, StaffReadsHQEditsMixin

from ..models import Tariff
from ..services import TARIFF_FIELDS, tariff_upsert


@admin.register(Tariff)
class TariffAdmin(OfferedFiltersOnlyMixin, StaffReadsHQEditsMixin, admin.ModelAdmin):
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
        "return_fee",
        "cod_fee",
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

    def save_model(self, request, obj, form, change):
        tariff, _created, _changed = tariff_upsert(
            actor=request.user,
            service=obj.service,
            **{field: form.cleaned_data[field] for field in TARIFF_FIELDS if field in form.cleaned_data},
        )
        obj.pk = tariff.pk
        obj._state.adding = False

    def has_delete_permission(self, request, obj=None):
        # Without its tariff a service cannot be quoted; change the prices instead.
        return False
