"""Notifications: enqueue in the event's transaction, deliver after commit, and
the scheduled dispatcher that delivers whatever is due (with backoff).

Rows are claimed in a short transaction (``FOR UPDATE SKIP LOCKED``, then a
lease: ``next_attempt_at`` moved ahead), and AWS is called only after that
transaction committed: two dispatchers never claim the same row, and no
database transaction stays open during a network call."""

import functools
import logging
import random
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import cast

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from shipments.models import Package, TrackingEvent
from shipments.statuses import Status

from . import messages
from .backends import Backend, DeliveryError, OptedOut, TopicEntry, get_backend
from .models import Notification
from .sealing import unseal
from .signals import enqueued

logger = logging.getLogger("notifications")

# Statuses that tell senders and receivers something (every event goes to the topic).
PARTY_TRIGGERS = frozenset(
    {
        Status.ACCEPTED,
        Status.ARRIVED,
        Status.READY_FOR_PICKUP,
        Status.OUT_FOR_DELIVERY,
        Status.DELIVERED,
        Status.DELAYED,
        Status.DELIVERY_FAILED,
        Status.RETURN_STARTED,
        Status.RETURNED,
    }
)
SENDER_ONLY = frozenset({Status.RETURN_STARTED, Status.RETURNED})  # the way back is the sender's news
PARTIES = (Notification.Recipient.SENDER, Notification.Recipient.RECEIVER)
MAX_ATTEMPTS = 8
BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_CAP = timedelta(hours=2)
# A claimed row is due again after this (its sender froze or died): longer than
# a Lambda may run, so a slow send is never doubled.
LEASE = timedelta(minutes=15)
TOPIC_BATCH = 10
# After a request: every topic message (in batches of 10), but only this many
# SMS and emails; the rest is the dispatcher's (a minute later at most).
REQUEST_DIRECT_LIMIT = 10
REQUEST_TOPIC_LIMIT = 100
# ... and stop after this long or at the first failure (AWS slow or down):
# what is left is released to the dispatcher untouched.
REQUEST_BUDGET_SECONDS = 5.0


# Rows per INSERT statement when a bulk path enqueues many events at once.
INSERT_BATCH = 1000


# --- enqueue (in the event's transaction) ---------------------------------------------


def _party_rows(event: TrackingEvent, package: Package, now, recipients=None, message="") -> Iterator[Notification]:
    if event.status not in PARTY_TRIGGERS:
        return
    heading_to = package.origin_office_id if package.returning else package.destination_office_id
    if event.status == Status.ARRIVED and event.office_id != heading_to:
        return  # A hub on the way is news to nobody.
    if recipients is None:
        recipients = (Notification.Recipient.SENDER,) if package.returning or event.status in SENDER_ONLY else PARTIES
    for recipient in recipients:
        for channel, wants, address, missing in (
            (Notification.Channel.SMS, "notify_sms", "phone", "No usable phone number."),
            (Notification.Channel.EMAIL, "notify_email", "email", "No email address."),
        ):
            if not getattr(package, f"{recipient}_{wants}"):
                continue
            value = getattr(package, f"{recipient}_{address}")
            usable = value.startswith("+") if channel == Notification.Channel.SMS else "@" in value
            yield Notification(
                package=package,
                event=event,
                status=event.status,
                channel=channel,
                recipient=recipient,
                address=value,
                message=message,
                state=Notification.State.PENDING if usable else Notification.State.SKIPPED,
                last_error="" if usable else missing,
                next_attempt_at=now,
                created_at=now,
            )


def reminder_rows(event: TrackingEvent, message: str) -> list[Notification]:
    """The receiver's reminder of ``event`` (``message`` names its templates), for ``enqueue_rows``."""
    return list(_party_rows(event, event.package, timezone.now(), (Notification.Recipient.RECEIVER,), message))


def notifications_for(event: TrackingEvent) -> list[Notification]:
    """The outbox rows ``event`` causes: one per party and channel it asked for,
    and one for the topic."""
    package = event.package
    now = timezone.now()
    rows = list(_party_rows(event, package, now))
    rows.append(
        Notification(
            package=package,
            event=event,
            status=event.status,
            channel=Notification.Channel.TOPIC,
            recipient=Notification.Recipient.TOPIC,
            next_attempt_at=now,
            created_at=now,
        )
    )
    return rows


def enqueue(events: Iterable[TrackingEvent], *, deliver: bool = True) -> list[Notification]:
    """Write the outbox rows of ``events`` (in the caller's transaction) and,
    with ``deliver``, deliver them once it commits. The post_save receiver
    calls it; bulk paths (``bulk_create`` fires no signal) call it themselves."""
    events = list(events)
    return enqueue_rows([row for event in events for row in notifications_for(event)], deliver=deliver, events=events)


def enqueue_rows(rows: list[Notification], *, deliver: bool = True, events: list | None = None) -> list[Notification]:
    """Write outbox rows (in the caller's transaction); ``events`` go to the webhooks too (a reminder has none)."""
    _insert(rows)
    if events:
        # The partner webhooks' rows, in the same transaction (webhooks.receivers).
        enqueued.send(sender=Notification, events=events)
    if deliver:
        pending = [row.pk for row in rows if row.state == Notification.State.PENDING]
        if pending:
            transaction.on_commit(lambda: deliver_after_commit(pending))
    return rows


def _insert(rows: list[Notification]) -> None:
    """``bulk_create(rows)`` as one ``INSERT ... VALUES ... RETURNING id``, without
    its per-value preparation: this runs in every event's transaction, and for an
    event's five rows bulk_create spent more Python time compiling than the
    database spent inserting. The columns are the model's concrete fields (a new
    field cannot be left out), and every value is a str, int, aware datetime or
    None, which the driver adapts exactly as Django's preparation would (a test
    reads every field back)."""
    fields, head, placeholder = _insert_sql()
    with connection.cursor() as cursor:
        for start in range(0, len(rows), INSERT_BATCH):
            batch = rows[start : start + INSERT_BATCH]
            values = [getattr(row, field.attname) for row in batch for field in fields]
            cursor.execute(f"{head}{', '.join([placeholder] * len(batch))} RETURNING id", values)
            for row, (pk,) in zip(batch, cursor.fetchall(), strict=True):
                row.pk = pk
                row._state.adding = False
                row._state.db = connection.alias


@functools.cache
def _insert_sql() -> tuple[list, str, str]:
    """The model's columns, the statement's head and one row's placeholders."""
    fields = [field for field in Notification._meta.concrete_fields if not field.primary_key]
    columns = ", ".join(connection.ops.quote_name(cast(str, field.column)) for field in fields)
    table = connection.ops.quote_name(Notification._meta.db_table)
    head = f"INSERT INTO {table} ({columns}) VALUES "  # noqa: S608 (quoted names from the model; values are parameters)
    return fields, head, "(" + ", ".join(["%s"] * len(fields)) + ")"


# --- after commit: batched per request -------------------------------------------------

_local = threading.local()


@contextmanager
def batched_delivery() -> Iterator[list[int]]:
    """Collect what commits inside (a request: up to 500 separate commits) and
    deliver it once at the end, within the request limits."""
    if getattr(_local, "pending", None) is not None:
        yield _local.pending
        return
    _local.pending = []
    try:
        yield _local.pending
    finally:
        pending, _local.pending = _local.pending, None
        if pending:
            deliver_now(pending)


def deliver_after_commit(ids: list[int]) -> None:
    pending = getattr(_local, "pending", None)
    if pending is not None:
        pending.extend(ids)
    else:
        deliver_now(ids)


def deliver_now(ids: list[int]) -> dict[str, int]:
    """Right after a commit: the topic rows and a few SMS and emails, with short
    timeouts and no retries; the rest stays due for the dispatcher."""
    try:
        backend = get_backend("request")
        topic = Notification.objects.filter(pk__in=ids, channel=Notification.Channel.TOPIC)
        parties = Notification.objects.filter(pk__in=ids).exclude(channel=Notification.Channel.TOPIC)
        claimed = claim(topic, limit=REQUEST_TOPIC_LIMIT) + claim(parties, limit=REQUEST_DIRECT_LIMIT)
        return send(claimed, backend, deadline=time.monotonic() + REQUEST_BUDGET_SECONDS, stop_on_error=True)
    except Exception:
        # The rows are committed; the dispatcher delivers them. A clerk's page must not fail for this.
        logger.exception("Delivery after commit failed; the dispatcher will retry.")
        return {}


# --- claim, send, record ----------------------------------------------------------------


def claim(queryset, *, limit: int) -> list[Notification]:
    """Due pending rows of ``queryset``, locked past any other claimer and leased."""
    now = timezone.now()
    with transaction.atomic():
        ids = list(
            queryset.filter(state=Notification.State.PENDING, next_attempt_at__lte=now)
            .order_by("next_attempt_at", "id")
            .select_for_update(skip_locked=True, of=("self",))
            .values_list("pk", flat=True)[:limit]
        )
        if not ids:
            return []
        Notification.objects.filter(pk__in=ids).update(attempts=F("attempts") + 1, next_attempt_at=now + LEASE)
    return list(
        Notification.objects.filter(pk__in=ids)
        .select_related("event__office__location", "package__origin_office", "package__destination_office")
        .order_by("id")
    )


def backoff(attempts: int) -> timedelta:
    """Exponential with full jitter in its upper half, capped."""
    delay = min(BACKOFF_BASE * (2 ** (attempts - 1)), BACKOFF_CAP)
    return delay * random.uniform(0.5, 1.0)  # noqa: S311 (jitter, not a secret)


@dataclass
class _Outcome:
    sent: dict[int, str] = field(default_factory=dict)
    skipped: dict[int, str] = field(default_factory=dict)
    errors: dict[int, str] = field(default_factory=dict)

    def over(self, deadline: float | None, stop_on_error: bool) -> bool:
        return (deadline is not None and time.monotonic() > deadline) or (stop_on_error and bool(self.errors))


def send(
    rows: list[Notification], backend: Backend, *, deadline: float | None = None, stop_on_error: bool = False
) -> dict[str, int]:
    """Deliver claimed rows and record each outcome. Never inside a transaction.

    Past ``deadline`` (or after a failure, with ``stop_on_error``) the rows not
    tried yet are released: due again at once, the attempt not counted."""
    if backend.calls_network and connection.in_atomic_block:
        raise RuntimeError("AWS is not called while a database transaction is open.")
    outcome = _Outcome()
    topic = [row for row in rows if row.channel == Notification.Channel.TOPIC]
    for start in range(0, len(topic), TOPIC_BATCH):
        if outcome.over(deadline, stop_on_error):
            break
        chunk = topic[start : start + TOPIC_BATCH]
        entries = []
        for row in chunk:
            row.event.package = row.package
            message, attributes = messages.topic_message(row.event)
            entries.append(TopicEntry(key=str(row.pk), message=message, attributes=attributes))
        try:
            results = backend.publish_topic(entries)
        except DeliveryError as error:
            outcome.errors.update({row.pk: str(error) for row in chunk})
            continue
        for row in chunk:
            result = results.get(str(row.pk))
            if result is not None and result.message_id:
                outcome.sent[row.pk] = result.message_id
            else:
                outcome.errors[row.pk] = result.error if result else "No answer for this entry."
    for row in rows:
        if row.channel == Notification.Channel.TOPIC:
            continue
        if outcome.over(deadline, stop_on_error):
            break
        if not _still_wanted(row):
            kind = "emails" if row.channel == Notification.Channel.EMAIL else "text messages"
            outcome.skipped[row.pk] = f"The {row.recipient} no longer wants {kind} about this parcel."
            continue
        row.event.package = row.package
        try:
            if row.channel == Notification.Channel.SMS:
                text = messages.sms_text(row.event, row.recipient, row.message, unseal(row.sealed))
                outcome.sent[row.pk] = backend.send_sms(row.address, text)
            else:
                subject, text, html = messages.email_parts(row.event, row.recipient, row.message, unseal(row.sealed))
                outcome.sent[row.pk] = backend.send_email(row.address, subject, text, html)
        except OptedOut as error:
            outcome.skipped[row.pk] = str(error)
        except DeliveryError as error:
            outcome.errors[row.pk] = str(error)
    _record(rows, outcome)
    return {"sent": len(outcome.sent), "skipped": len(outcome.skipped), "errors": len(outcome.errors)}


def _still_wanted(row: Notification) -> bool:
    """The party's preference as it is now (claim read the package afresh): a row
    enqueued before they unsubscribed, retried since, is not sent."""
    return bool(getattr(row.package, f"{row.recipient}_notify_{row.channel}"))


def _record(rows: list[Notification], outcome: _Outcome) -> None:
    now = timezone.now()
    changed = []
    for row in rows:
        if row.pk in outcome.sent:
            row.state, row.message_id, row.sent_at, row.last_error = "sent", outcome.sent[row.pk], now, ""
        elif row.pk in outcome.skipped:
            row.state, row.last_error = "skipped", outcome.skipped[row.pk]
        elif row.pk in outcome.errors:
            row.last_error = outcome.errors[row.pk][:2000]
            if row.attempts >= MAX_ATTEMPTS:
                row.state = "failed"
            else:
                row.next_attempt_at = now + backoff(row.attempts)
        else:
            row.attempts -= 1  # released untried
            row.next_attempt_at = now
        if row.state != "pending":
            row.sealed = ""  # a code travels once (notifications.sealing)
        changed.append(row)
    Notification.objects.bulk_update(
        changed, ["state", "message_id", "sent_at", "last_error", "next_attempt_at", "attempts", "sealed"]
    )
    for row in changed:
        if row.state == "failed":
            logger.warning("Notification %s failed after %s attempts: %s", row.pk, row.attempts, row.last_error)


def dispatch_due(*, limit: int = 1000, batch: int = 100, backend: Backend | None = None) -> dict[str, int]:
    """Deliver what is due, ``batch`` rows at a time (topic rows in PublishBatch
    calls of 10), up to ``limit``. The scheduled job (every minute) calls this."""
    backend = backend or get_backend("dispatcher")
    totals = {"sent": 0, "skipped": 0, "errors": 0}
    done = 0
    while done < limit:
        rows = claim(Notification.objects.all(), limit=min(batch, limit - done))
        if not rows:
            break
        done += len(rows)
        for key, value in send(rows, backend).items():
            totals[key] += value
    return totals


# --- the admin's actions -------------------------------------------------------------------


def notification_retry_now(*, notifications) -> int:
    """Pending or failed rows become due now. Their attempts keep counting: a
    row that had used up its MAX_ATTEMPTS gets one more try, and is failed
    again if that one fails too."""
    return notifications.filter(state__in=["pending", "failed"]).update(state="pending", next_attempt_at=timezone.now())


def notification_give_up(*, notifications) -> int:
    """Pending rows are marked failed and never sent."""
    return notifications.filter(state="pending").update(state="failed", sealed="")
