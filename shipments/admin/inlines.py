"""The timeline, the changes of details and the charges on the package page: append-only, shown, never edited."""

from django.contrib import admin

from offices.admin_mixins import ReadOnlyInlineMixin

from ..models import Charge, PackageChange, TrackingEvent
from ..times import local_time, office_zone, package_zone


class TrackingEventInline(ReadOnlyInlineMixin, admin.TabularInline):
    model = TrackingEvent
    verbose_name = "tracking event"
    verbose_name_plural = "Timeline"
    fields = ("occurred", "status", "office", "reason", "received_by", "note", "recorded_by", "source")
    readonly_fields = fields
    ordering = ("occurred_at", "id")

    def get_queryset(self, request):
        # The package's offices, for the zone of an event recorded at no office.
        related = ("office", "recorded_by", "package__current_office", "package__origin_office")
        return super().get_queryset(request).select_related(*related).order_by("occurred_at", "id")

    @admin.display(description="When")
    def occurred(self, event):
        """In the zone of the office where it happened (where the package was, for an event at no office)."""
        zone = office_zone(event.office) if event.office_id else package_zone(event.package)
        return local_time(event.occurred_at, zone)


class PackageChangeInline(ReadOnlyInlineMixin, admin.TabularInline):
    """Changes to the sender and receiver after registration, with the timeline: who, when, what."""

    model = PackageChange
    verbose_name = "change of details"
    verbose_name_plural = "Details changed"
    fields = ("changed", "description", "what", "via", "changed_by")
    readonly_fields = fields
    ordering = ("changed_at", "id")

    def get_queryset(self, request):
        related = ("changed_by", "package__current_office", "package__origin_office")
        return super().get_queryset(request).select_related(*related).order_by("changed_at", "id")

    @admin.display(description="When")
    def changed(self, change):
        return local_time(change.changed_at, package_zone(change.package))

    @admin.display(description="Change")
    def description(self, change):
        return f"Details changed by {change.get_source_display().lower()}"

    @admin.display(description="What")
    def what(self, change):
        return "; ".join(
            f"{name.replace('_', ' ')}: “{before}” → “{after}”" for name, (before, after) in change.changes.items()
        )


class ChargeInline(ReadOnlyInlineMixin, admin.TabularInline):
    model = Charge
    verbose_name_plural = "Charges"
    fields = ("charged", "kind", "office", "total", "currency")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("office")

    @admin.display(description="Charged")
    def charged(self, charge):
        return local_time(charge.charged_at, office_zone(charge.office))
