"""Webhook messages: written beside the notification outbox's rows, in the
event's transaction (``enqueue``), and delivered by the dispatcher
(``dispatch_due``, run with the notifications' by ``dispatch_notifications``).

As the outbox: rows are claimed in a short transaction (``FOR UPDATE SKIP
LOCKED``, then a lease), and the endpoints are called only after it committed.
Only the oldest pending message of each package and subscription can be
claimed, so one package's events reach a partner in event order, each retried
on the Standard Webhooks schedule (rules.RETRY_DELAYS) before the next goes."""

import logging
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from standardwebhooks import Webhook

from shipments.models import TrackingEvent
from shipments.statuses import Status

from . import client, rules
from .models import RESPONSE_KEPT_BYTES, Attempt, Message, Subscription

logger = logging.getLogger("webhooks")

# A claimed message is due again after this (its sender died): longer than a run may last.
LEASE = timedelta(minutes=15)
# The dispatcher stops claiming after this long (the scheduled job runs every minute).
RUN_BUDGET_SECONDS = 50.0
BATCH = 100
USER_AGENT = "parcel-backoffice-webhooks/1"


# --- enqueue (in the event's transaction) ----------------------------------------------


def enqueue(events: Iterable[TrackingEvent]) -> int:
    """One message per event and active subscription that wants it, in one
    statement whatever the number of events (the imports' and bags' bulk paths
    enqueue thousands at once), ordered by package and event time so that ids
    follow event order. Returns the messages written."""
    rows = sorted(
        ((event.package_id, event.occurred_at, event.pk, event.status, event.package.origin_office_id))
        for event in events
    )
    if not rows:
        return 0
    packages, times, ids, statuses, origins = (list(column) for column in zip(*rows, strict=True))
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO webhooks_message (subscription_id, webhook_id, package_id, event_id, event_type, body,
                                          state, attempts, next_attempt_at, last_error, created_at)
            SELECT s.id, 'msg_' || replace(gen_random_uuid()::text, '-', ''), e.package_id, e.event_id,
                   'package.' || e.status, '', 'pending', 0, %s, '', %s
            FROM unnest(%s::bigint[], %s::timestamptz[], %s::bigint[], %s::text[], %s::bigint[])
                 WITH ORDINALITY AS e(package_id, occurred_at, event_id, status, origin_office_id, position)
            JOIN webhooks_subscription s
              ON s.active
             AND (s.events = '[]'::jsonb OR s.events @> jsonb_build_array(e.status))
             AND (NOT EXISTS (SELECT 1 FROM webhooks_subscription_origin_offices o WHERE o.subscription_id = s.id)
                  OR EXISTS (SELECT 1 FROM webhooks_subscription_origin_offices o
                             WHERE o.subscription_id = s.id AND o.office_id = e.origin_office_id))
            ORDER BY e.position, s.id""",
            [now, now, packages, times, ids, statuses, origins],
        )
        return cursor.rowcount


def _was_returning(event) -> bool:
    """Whether the parcel was on its way back when ``event`` happened (the body is
    written at the first attempt, when a later step may have turned it back): its
    return started at or before the event. One query, for returning parcels only."""
    if not event.package.returning:
        return False
    return event.package.events.filter(status=Status.RETURN_STARTED, occurred_at__lte=event.occurred_at).exists()


# --- claim -----------------------------------------------------------------------------------


def claim(queryset, *, limit: int) -> list[Message]:
    """Due pending messages of ``queryset`` whose subscription is on and not
    slowed down, each the oldest pending one of its package for its
    subscription, locked past any other claimer and leased."""
    now = timezone.now()
    earlier = Message.objects.filter(
        subscription_id=OuterRef("subscription_id"),
        package_id=OuterRef("package_id"),
        state=Message.State.PENDING,
        id__lt=OuterRef("id"),
    )
    with transaction.atomic():
        ids = list(
            queryset.filter(state=Message.State.PENDING, next_attempt_at__lte=now, subscription__active=True)
            .filter(Q(subscription__paused_until__isnull=True) | Q(subscription__paused_until__lte=now))
            .filter(~Exists(earlier))
            .order_by("next_attempt_at", "id")
            .select_for_update(skip_locked=True, of=("self",))
            .values_list("pk", flat=True)[:limit]
        )
        if not ids:
            return []
        Message.objects.filter(pk__in=ids).update(attempts=F("attempts") + 1, next_attempt_at=now + LEASE)
    return list(
        Message.objects.filter(pk__in=ids)
        .select_related(
            "subscription",
            "event__office",
            "event__package__origin_office",
            "event__package__destination_office",
        )
        .order_by("id")
    )


# --- send -----------------------------------------------------------------------------------


def body_of(message: Message) -> str:
    """The message's JSON: fixed at its first attempt (after the event's commit,
    so the package's new expected delivery is in it), the same on every retry."""
    if message.body:
        return message.body
    event = message.event
    if event is None:
        raise ValueError(f"{message.webhook_id} has neither a body nor an event.")
    package = event.package
    return rules.package_body(
        event_type=message.event_type,
        tracking_number=package.tracking_number,
        status=event.status,
        reason=event.reason,
        occurred_at=event.occurred_at,
        office=event.office.code if event.office else None,
        origin_office=package.origin_office.code,
        destination_office=package.destination_office.code,
        expected_delivery_at=package.expected_delivery_at,
        returning=_was_returning(event),
        service=package.service,
    )


def signed_headers(subscription: Subscription, webhook_id: str, body: str, *, now: datetime) -> dict[str, str]:
    """Standard Webhooks' headers, signed by the library: with the previous
    secret too while a rotation lasts (receivers accept either)."""
    moment = datetime.fromtimestamp(int(now.timestamp()), tz=UTC)
    secrets = [subscription.secret]
    if subscription.previous_secret and subscription.previous_secret_until and subscription.previous_secret_until > now:
        secrets.append(subscription.previous_secret)
    return {
        "webhook-id": webhook_id,
        "webhook-timestamp": str(int(moment.timestamp())),
        "webhook-signature": " ".join(Webhook(secret).sign(webhook_id, moment, body) for secret in secrets),
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
    }


@dataclass
class _Try:
    message: Message
    answer: client.Answer | None = None  # None: not tried (released)


def send(messages: list[Message], *, deadline: float | None = None, tripped: set[int] | None = None) -> dict[str, int]:
    """Deliver claimed messages and record each attempt. Never inside a transaction.

    Each subscription's host is resolved and checked once per batch; its first
    message goes alone, the rest from WEBHOOK_SENDERS threads sharing the
    endpoint's connections. After a failure, the subscription's untried messages are
    released (due again, the attempt not counted): a dead endpoint costs one
    timeout per run, not one per message (``tripped`` collects them for the caller)."""
    if connection.in_atomic_block:
        raise RuntimeError("Endpoints are not called while a database transaction is open.")
    where: dict[int, tuple[rules.Target, rules.Address | None, str]] = {}
    for message in messages:
        subscription = message.subscription
        if subscription.pk not in where:
            target = rules.target(subscription.url)
            try:
                where[subscription.pk] = (target, client.vetted_address(target), "")
            except client.Refused as error:
                where[subscription.pk] = (target, None, str(error))
    tripped = set() if tripped is None else tripped
    tries = [_Try(message) for message in messages]

    def attempt(item: _Try) -> None:
        message = item.message
        subscription_id = message.subscription_id
        if subscription_id in tripped or (deadline is not None and time.monotonic() > deadline):
            return
        target, address, refusal = where[subscription_id]
        if address is None:
            item.answer = client.Answer(None, b"", None, 0, error=refusal)
            return
        message.body = body_of(message)
        headers = signed_headers(message.subscription, message.webhook_id, message.body, now=timezone.now())
        item.answer = client.post(target, address, message.body.encode(), headers)
        if not rules.delivered(item.answer.status_code):
            tripped.add(subscription_id)

    # Per subscription: the first message alone, then (if it went through) the rest side by side.
    queues: dict[int, list[_Try]] = {}
    for item in tries:
        queues.setdefault(item.message.subscription_id, []).append(item)
    with ThreadPoolExecutor(max_workers=max(1, int(settings.WEBHOOK_SENDERS))) as pool:
        for first, *rest in queues.values():
            attempt(first)
            list(pool.map(attempt, rest))
    return _record(tries, now=timezone.now())


def _record(tries: list[_Try], *, now: datetime) -> dict[str, int]:
    totals = {"sent": 0, "errors": 0, "released": 0}
    attempts: list[Attempt] = []
    subscriptions: dict[int, Subscription] = {}
    for item in tries:
        message, answer = item.message, item.answer
        subscription = subscriptions.setdefault(message.subscription_id, message.subscription)
        if answer is None:
            message.attempts -= 1
            message.next_attempt_at = now
            totals["released"] += 1
            continue
        attempts.append(
            Attempt(
                message=message,
                subscription_id=message.subscription_id,
                attempt=message.attempts,
                created_at=now,
                status_code=answer.status_code,
                duration_ms=answer.duration_ms,
                response=answer.body[:RESPONSE_KEPT_BYTES].decode("utf-8", "replace").replace("\x00", "\ufffd"),
                error=answer.error[:500],
            )
        )
        if rules.delivered(answer.status_code):
            message.state, message.sent_at, message.last_error = Message.State.SENT, now, ""
            subscription.failing_since = None
            totals["sent"] += 1
            continue
        totals["errors"] += 1
        message.last_error = (answer.error or f"HTTP {answer.status_code}")[:500]
        if answer.status_code == rules.GONE:
            message.state = Message.State.FAILED
            _disable(subscription, now, "The endpoint answered 410 Gone.")
            continue
        delay = rules.next_delay(message.attempts)
        if delay is None:
            message.state = Message.State.FAILED
        if answer.status_code in rules.SLOW_DOWN:
            wait = rules.retry_after(answer.retry_after, now=now) or delay or rules.RETRY_DELAYS[0]
            subscription.paused_until = max(subscription.paused_until or now, now + wait)
            delay = max(delay, wait) if delay is not None else None
        if delay is not None:
            message.next_attempt_at = now + delay
        subscription.failing_since = subscription.failing_since or now
        if now - subscription.failing_since >= rules.DISABLE_AFTER:
            _disable(subscription, now, f"Every delivery failed for {rules.DISABLE_AFTER.days} days.")
    with transaction.atomic():
        Attempt.objects.bulk_create(attempts)
        _update_messages([item.message for item in tries])
        for subscription in subscriptions.values():
            Subscription.objects.filter(pk=subscription.pk).update(
                failing_since=subscription.failing_since,
                paused_until=subscription.paused_until,
                **(
                    {
                        "active": False,
                        "disabled_at": subscription.disabled_at,
                        "disabled_reason": subscription.disabled_reason,
                    }
                    if not subscription.active
                    else {}
                ),
            )
            if not subscription.active:
                subscription.messages.filter(state=Message.State.PENDING).update(
                    state=Message.State.FAILED, last_error="The subscription was turned off."
                )
    return totals


def _update_messages(messages: list[Message]) -> None:
    """One UPDATE ... FROM unnest for the batch (bulk_update's CASE per column cost
    more than the deliveries themselves)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE webhooks_message m
            SET state = v.state, attempts = v.attempts, next_attempt_at = v.next_attempt_at,
                last_error = v.last_error, sent_at = v.sent_at, body = v.body
            FROM unnest(%s::bigint[], %s::text[], %s::int[], %s::timestamptz[], %s::text[], %s::timestamptz[],
                        %s::text[]) AS v(id, state, attempts, next_attempt_at, last_error, sent_at, body)
            WHERE m.id = v.id""",
            [
                [message.pk for message in messages],
                [message.state for message in messages],
                [message.attempts for message in messages],
                [message.next_attempt_at for message in messages],
                [message.last_error for message in messages],
                [message.sent_at for message in messages],
                [message.body for message in messages],
            ],
        )


def _disable(subscription: Subscription, now: datetime, reason: str) -> None:
    if subscription.active:
        subscription.active, subscription.disabled_at, subscription.disabled_reason = False, now, reason
        logger.warning("Webhook subscription %s turned off: %s", subscription.pk, reason)


def dispatch_due(
    *, limit: int = 1000, batch: int = BATCH, budget_seconds: float = RUN_BUDGET_SECONDS
) -> dict[str, int]:
    """Deliver what is due, ``batch`` messages at a time, up to ``limit`` or
    until ``budget_seconds`` have passed. The scheduled job calls this every minute."""
    deadline = time.monotonic() + budget_seconds
    totals = {"sent": 0, "errors": 0, "released": 0}
    # Subscriptions that failed in this run wait for the next one.
    tripped: set[int] = set()
    done = 0
    while done < limit and time.monotonic() < deadline:
        messages = claim(Message.objects.exclude(subscription_id__in=tripped), limit=min(batch, limit - done))
        if not messages:
            break
        done += len(messages)
        for key, value in send(messages, deadline=deadline, tripped=tripped).items():
            totals[key] += value
    return totals
