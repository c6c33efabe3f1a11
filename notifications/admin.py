"""HQ's view of the notification outbox: filter, retry now, give up."""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from offices import access
from shipments.times import local_time

from .models import Notification
from .services import notification_give_up, notification_retry_now


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = (
        "created",
        "package",
        "status",
        "recipient",
        "channel",
        "masked_address",
        "state",
        "attempts",
        "next_attempt",
        "sent",
        "last_error",
        "message_id",
    )
    list_filter = ("state", "channel", "status")
    ordering = ("-id",)
    list_select_related = ("package",)
    search_fields = ("=package__tracking_number",)
    search_help_text = "Exact tracking number."
    fields = list_display
    readonly_fields = list_display
    actions = ("retry_now", "give_up")
    show_full_result_count = False

    # Times in the zone the admin runs in for HQ, with the zone named (shipments.times).
    @admin.display(description="created", ordering="created_at")
    def created(self, notification: Notification) -> str:
        return local_time(notification.created_at)

    @admin.display(description="next attempt", ordering="next_attempt_at")
    def next_attempt(self, notification: Notification) -> str:
        if notification.state != Notification.State.PENDING:
            return "—"
        return local_time(notification.next_attempt_at)

    @admin.display(description="sent")
    def sent(self, notification: Notification) -> str:
        return local_time(notification.sent_at)

    @admin.display(description="recipient address")
    def masked_address(self, notification: Notification) -> str:
        return notification.masked_address

    # HQ only; rows are written by the outbox, never edited here.
    def has_module_permission(self, request: HttpRequest) -> bool:
        return access.is_hq(request.user)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return access.is_hq(request.user)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return access.is_hq(request.user) and obj is None  # the actions, not the form

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.action(description="Retry now", permissions=["change"])
    def retry_now(self, request: HttpRequest, queryset: QuerySet[Notification]) -> None:
        count = notification_retry_now(notifications=queryset)
        self.message_user(
            request,
            f"{count} notification(s) due now: the dispatcher tries each once more within a minute "
            "(the scheduled job; `make run` runs it beside the server, or run `manage.py dispatch_notifications`).",
        )

    @admin.action(description="Give up", permissions=["change"])
    def give_up(self, request: HttpRequest, queryset: QuerySet[Notification]) -> None:
        count = notification_give_up(notifications=queryset)
        self.message_user(request, f"{count} pending notification(s) marked failed.", messages.WARNING)
