"""The package page's list of the notifications its events caused (used by
shipments' PackageAdmin; not in admin.py, which is HQ's outbox)."""

from django.contrib import admin

from offices import access

from .models import Notification


class NotificationInline(admin.TabularInline):
    """Read-only, recipients masked: what went out, or why not."""

    model = Notification
    verbose_name_plural = "Notifications"
    extra = 0
    can_delete = False
    show_change_link = False
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

    def has_view_permission(self, request, obj=None):
        return access.may_use_admin(request.user)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
