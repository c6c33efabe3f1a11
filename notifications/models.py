"""The notification outbox: what a tracking event owes to whom, and how its delivery went."""

from django.db import models
from django.db.models import Q
from django.utils import timezone

from shipments.models import Package, TrackingEvent
from shipments.statuses import Status


class Notification(models.Model):
    """One message a tracking event causes: to one party on one channel, or the
    event on the topic. Written in the event's transaction; delivered after
    commit or by the dispatcher, which retries with backoff until ``failed``."""

    class Channel(models.TextChoices):
        SMS = "sms", "SMS"
        EMAIL = "email", "Email"
        TOPIC = "topic", "Topic"

    class Recipient(models.TextChoices):
        SENDER = "sender", "Sender"
        RECEIVER = "receiver", "Receiver"
        TOPIC = "topic", "Topic subscribers"

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        SKIPPED = "skipped", "Skipped"
        FAILED = "failed", "Failed"

    # The package page lists by package; the event says which step caused it.
    # No foreign-key checks at each commit (the outbox is written in every
    # event's transaction): a row's package is its event's package, which the
    # event's own foreign key keeps, and events are never deleted (a database
    # trigger refuses it), so neither can be missing.
    package = models.ForeignKey(
        Package, on_delete=models.PROTECT, related_name="notifications", db_index=False, db_constraint=False
    )
    event = models.ForeignKey(
        TrackingEvent, on_delete=models.DO_NOTHING, related_name="notifications", db_index=False, db_constraint=False
    )
    status = models.CharField(max_length=20, choices=Status.choices, help_text="The event's status.")
    # A reminder about the event (the holding period's) rather than news of it: its own templates.
    message = models.CharField(max_length=30, blank=True, choices=[("holding_reminder", "Holding period reminder")])
    channel = models.CharField(max_length=10, choices=Channel.choices)
    recipient = models.CharField(max_length=10, choices=Recipient.choices)
    address = models.CharField(max_length=254, blank=True, help_text="Phone (E.164) or email; empty for the topic.")
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_error = models.TextField(blank=True)
    message_id = models.CharField(max_length=200, blank=True, help_text="The id AWS returned.")
    # Never shown: see notifications.sealing. Empty once the row is no longer pending.
    sealed = models.TextField(blank=True, default="", db_default="", editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        # Newest first by id (the primary key's index): an insert maintains as few indexes as possible.
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["pending", "sent", "skipped", "failed"]), name="notification_state_valid"
            ),
        ]
        indexes = [
            # The package page's list.
            models.Index(fields=["package", "created_at"], name="notification_package_idx"),
            # The dispatcher's "what is due": only pending rows, oldest first.
            models.Index(fields=["next_attempt_at"], name="notification_due_idx", condition=Q(state="pending")),
            # The admin home's failed count and HQ's "failed" filter; never touched by an insert.
            models.Index(fields=["-id"], name="notification_failed_idx", condition=Q(state="failed")),
        ]

    def __str__(self):
        return f"{self.get_channel_display()} to {self.get_recipient_display().lower()} ({self.status})"

    @property
    def masked_address(self) -> str:
        return mask(self.address)


def mask(address: str) -> str:
    """A phone or email with most of it hidden, for the admin's lists."""
    if not address:
        return ""
    if "@" in address:
        local, _, domain = address.partition("@")
        return f"{local[:1]}•••@{domain}"
    return f"{address[:3]}•••{address[-2:]}"
