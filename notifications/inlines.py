"""The package page's list of the notifications its events caused (used by
shipments' PackageAdmin; not in admin.py, which is HQ's outbox)."""

from django.contrib import admin

from offices.admin_mixins import ReadOnlyInlineMixin

from .models import Notification


class NotificationInline(ReadOnlyInlineMixin, admin.TabularInline):
    """Read-only, recipients masked: what went out, or why not."""

    model = Notification
    verbose_name_plural = "Notifications"
    fields = (
        "created_at",
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

    @admin.display(description="address")
    def masked_address(self, notification: Notification) -> str:
        return notification.masked_address
