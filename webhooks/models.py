"""Partner webhooks: subscriptions, the messages the outbox owes them, and the
log of every delivery attempt (Standard Webhooks, docs/domain.md "Webhooks")."""

from django.db import models
from django.db.models import F, Func, Q
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone

from offices.models import Office
from shipments.models import Package, TrackingEvent

# The largest body a message may have (the limit; the package bodies are far smaller).
MAX_BODY_BYTES = 20 * 1024
# How much of an endpoint's answer the log keeps.
RESPONSE_KEPT_BYTES = 1024


class Subscription(models.Model):
    """A partner's endpoint that wants tracking events pushed to it: which
    events (statuses; all when empty), of which packages (those leaving from
    the given origin offices; all when none), signed with its secret."""

    url = models.CharField("URL", max_length=2000, help_text="HTTPS endpoint that receives the events.")
    events = models.JSONField(default=list, blank=True, help_text="Statuses to send; empty: every status.")
    origin_offices = models.ManyToManyField(
        Office, blank=True, related_name="+", help_text="Only packages leaving from these offices; none: all."
    )
    description = models.CharField(max_length=500, blank=True)
    active = models.BooleanField(default=True)
    # The spec's "whsec_" + base64 of the key. During a rotation the previous
    # secret signs too, until previous_secret_until.
    secret = models.CharField(max_length=100, editable=False)
    previous_secret = models.CharField(max_length=100, blank=True, editable=False)
    previous_secret_until = models.DateTimeField(null=True, blank=True, editable=False)
    # Set by the deliveries, never by hand.
    failing_since = models.DateTimeField(null=True, blank=True, help_text="First failure since the last success.")
    paused_until = models.DateTimeField(null=True, blank=True, help_text="Slowed down (429, 5xx, Retry-After).")
    disabled_at = models.DateTimeField(null=True, blank=True, help_text="When the deliveries turned it off.")
    disabled_reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "webhook subscription"
        ordering = ["id"]
        indexes = [
            # The admin home's notice: subscriptions the deliveries turned off.
            models.Index(fields=["disabled_at"], name="webhook_disabled_idx", condition=Q(disabled_at__isnull=False)),
        ]

    def __str__(self) -> str:
        return self.description or self.url


class Message(models.Model):
    """One event owed to one subscription (or a test event): its ``webhook_id``
    is the same for every attempt, so receivers deduplicate on it. Written in
    the event's transaction; the body is fixed at its first attempt."""

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Delivered"
        FAILED = "failed", "Failed"

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="messages")
    webhook_id = models.CharField(max_length=40, unique=True)
    # As the notification outbox: no foreign-key checks at each event's commit
    # (the event's own key keeps its package, and events are never deleted).
    package = models.ForeignKey(
        Package, null=True, blank=True, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False
    )
    event = models.ForeignKey(
        TrackingEvent, null=True, blank=True, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False
    )
    event_type = models.CharField(max_length=40, help_text="package.<status>, or webhook.test.")
    body = models.TextField(blank=True, help_text="The JSON sent, fixed at the first attempt.")
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "webhook message"
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=Q(state__in=["pending", "sent", "failed"]), name="webhook_message_state"),
            models.CheckConstraint(
                condition=LessThanOrEqual(
                    Func(F("body"), function="OCTET_LENGTH", output_field=models.IntegerField()), MAX_BODY_BYTES
                ),
                name="webhook_message_body_size",
            ),
        ]
        indexes = [
            # The dispatcher's "what is due".
            models.Index(fields=["next_attempt_at"], name="webhook_message_due_idx", condition=Q(state="pending")),
            # Event order per package and subscription: "is an earlier one still pending?"
            models.Index(
                fields=["subscription", "package", "id"], name="webhook_message_queue_idx", condition=Q(state="pending")
            ),
            # A subscription's messages, newest first (redeliver, the admin's filter).
            models.Index(fields=["subscription", "-id"], name="webhook_message_sub_idx"),
        ]

    def __str__(self) -> str:
        return self.webhook_id


class Attempt(models.Model):
    """One try at delivering a message: when, the HTTP status (none when no
    answer came), how long it took and the first kilobyte of the answer."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attempt_log")
    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="attempts")
    attempt = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(default=timezone.now)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    response = models.TextField(blank=True, help_text="The first kilobyte of the answer.")
    error = models.CharField(max_length=500, blank=True, help_text="Why no answer counted (timeout, refused address).")

    class Meta:
        verbose_name = "delivery attempt"
        ordering = ["-id"]
        indexes = [models.Index(fields=["subscription", "-id"], name="webhook_attempt_log_idx")]

    def __str__(self) -> str:
        return f"{self.message_id} #{self.attempt}"
