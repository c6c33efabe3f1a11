"""The package page's list of the notifications its events caused (used by
shipments' PackageAdmin; not in admin.py, which is HQ's outbox)."""

from django.contrib import admin

from offices.admin_mixins import ReadOnlyInlineMixin
from shipments.times import local_time, package_zone

from .models import Notification


class NotificationInline(ReadOnlyInlineMixin, admin.TabularInline):
    """Read-only, recipients masked: what went out, or why not."""

    model = Notification
    verbose_name_plural = "Notifications"
    fields = (
        "created",
        "status",
        "recipient",
        "channel",
        "masked_address",
        "state",
        "attempts",
        "last_error",
        "message_id",
    )
    readonly_fields = fields
    ordering = ("created_at", "id")

    def get_queryset(self, request):
        # The package's offices, for the page's zone.
        return super().get_queryset(request).select_related("package__current_office", "package__origin_office")

    @admin.display(description="created")
    def created(self, notification: Notification) -> str:
        """In the package page's zone (where the package is), with the zone named."""
        return local_time(notification.created_at, package_zone(notification.package))

    @admin.display(description="address")
    def masked_address(self, notification: Notification) -> str:
        return notification.masked_address
