"""HQ's partner webhooks in the admin: subscriptions (the secret shown once,
rotate, send a test event) and the deliveries with each attempt's log
(redeliver; filter by state and date for "every failed one since")."""

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from offices import access
from offices.admin_mixins import ReadOnlyInlineMixin
from shipments.exceptions import ShipmentError
from shipments.statuses import Status
from shipments.times import local_time

from . import services
from .models import Attempt, Message, Subscription


class SubscriptionForm(forms.ModelForm):
    events = forms.MultipleChoiceField(
        choices=Status.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="None ticked: every status.",
    )

    class Meta:
        model = Subscription
        fields = ["url", "events", "origin_offices", "description", "active"]

    def clean_url(self) -> str:
        url = self.cleaned_data["url"].strip()
        problems = services.url_problems(url)
        if problems:
            raise forms.ValidationError(problems)
        return url


class _HQOnly:
    def has_module_permission(self, request: HttpRequest) -> bool:
        return access.may_manage_webhooks(request.user)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return access.may_manage_webhooks(request.user)


@admin.register(Subscription)
class SubscriptionAdmin(_HQOnly, admin.ModelAdmin):
    form = SubscriptionForm
    list_display = ("__str__", "url", "active", "events_shown", "failing", "disabled_reason")
    list_filter = ("active",)
    filter_horizontal = ("origin_offices",)
    readonly_fields = ("failing_since", "paused_until", "disabled_at", "disabled_reason", "previous_secret_until")
    actions = ("send_test", "rotate_secret")

    def get_fields(self, request, obj=None):
        fields = ["url", "events", "origin_offices", "description", "active"]
        return fields if obj is None else [*fields, *self.readonly_fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return access.may_manage_webhooks(request.user)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return access.may_manage_webhooks(request.user)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return access.may_manage_webhooks(request.user)

    @admin.display(description="events")
    def events_shown(self, subscription: Subscription) -> str:
        return ", ".join(subscription.events) or "all"

    @admin.display(description="failing since")
    def failing(self, subscription: Subscription) -> str:
        return local_time(subscription.failing_since) if subscription.failing_since else "—"

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        fields = {name: data[name] for name in ("url", "events", "description", "active")}
        try:
            if change:
                services.subscription_update(subscription=obj, origin_offices=list(data["origin_offices"]), **fields)
                return
            created = services.subscription_create(origin_offices=list(data["origin_offices"]), **fields)
        except ShipmentError as error:  # the host's answer changed since the form checked it
            raise forms.ValidationError(error.message) from error
        obj.pk, obj.secret, obj._state.adding = created.pk, created.secret, False
        self.message_user(
            request,
            f"The subscription's secret, shown this once (the partner verifies signatures with it): {created.secret}",
            messages.WARNING,
        )

    def save_related(self, request, form, formsets, change):
        pass  # the service sets the origin offices

    def delete_model(self, request, obj):
        services.subscription_delete(subscription=obj)

    @admin.action(description="Send a test event", permissions=["change"])
    def send_test(self, request: HttpRequest, queryset: QuerySet[Subscription]) -> None:
        for subscription in queryset[:10]:
            message = services.subscription_send_test(subscription=subscription)
            attempt = message.attempt_log.first()
            outcome = (
                "not tried (the subscription is off)"
                if attempt is None
                else f"HTTP {attempt.status_code} in {attempt.duration_ms} ms"
                if attempt.status_code
                else attempt.error
            )
            level = messages.SUCCESS if message.state == Message.State.SENT else messages.WARNING
            self.message_user(request, f"{subscription}: test event {message.webhook_id}: {outcome}.", level)

    @admin.action(description="Rotate the secret (the old one signs too for a day)", permissions=["change"])
    def rotate_secret(self, request: HttpRequest, queryset: QuerySet[Subscription]) -> None:
        for subscription in queryset[:10]:
            secret = services.subscription_rotate_secret(subscription=subscription)
            self.message_user(request, f"{subscription}: new secret, shown this once: {secret}", messages.WARNING)


class AttemptInline(ReadOnlyInlineMixin, admin.TabularInline):
    """Every attempt: when, the HTTP status, how long, the first kilobyte of the answer."""

    model = Attempt
    verbose_name_plural = "Delivery log"
    fields = ("attempt", "when", "status_code", "duration_ms", "response", "error")
    readonly_fields = fields
    ordering = ("id",)

    @admin.display(description="time")
    def when(self, attempt: Attempt) -> str:
        return local_time(attempt.created_at)


@admin.register(Message)
class MessageAdmin(_HQOnly, admin.ModelAdmin):
    list_display = (
        "created",
        "webhook_id",
        "subscription",
        "event_type",
        "package",
        "state",
        "attempts",
        "next_attempt",
        "last_error",
    )
    list_filter = ("state", "subscription", "event_type")
    date_hierarchy = "created_at"
    list_select_related = ("subscription", "package")
    search_fields = ("=webhook_id", "=package__tracking_number")
    search_help_text = "Exact webhook-id or tracking number."
    fields = ("webhook_id", "subscription", "event_type", "package", "state", "attempts", "next_attempt", "body")
    readonly_fields = fields
    inlines = (AttemptInline,)
    actions = ("redeliver",)
    show_full_result_count = False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return access.may_manage_webhooks(request.user) and obj is None  # the action, not the form

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description="created", ordering="created_at")
    def created(self, message: Message) -> str:
        return local_time(message.created_at)

    @admin.display(description="next attempt", ordering="next_attempt_at")
    def next_attempt(self, message: Message) -> str:
        return local_time(message.next_attempt_at) if message.state == Message.State.PENDING else "—"

    @admin.action(description="Redeliver (the same webhook-id)", permissions=["change"])
    def redeliver(self, request: HttpRequest, queryset: QuerySet[Message]) -> None:
        count = services.redeliver(messages=queryset)
        self.message_user(
            request,
            f"{count} message(s) due now: the dispatcher sends them within a minute "
            "(none of a subscription that is off).",
        )
