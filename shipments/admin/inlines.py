"""The timeline and the charges on the package page: append-only, shown, never edited."""

from django.contrib import admin

from offices import access

from ..models import Charge, TrackingEvent


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
