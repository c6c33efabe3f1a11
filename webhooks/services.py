"""Partner webhook subscriptions: create (the secret shown once), change,
rotate the secret, delete; redeliver messages and send a test event. The
admin and the API call these; delivery itself is webhooks.delivery's."""

import base64
import secrets
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from offices.models import Office
from shipments.exceptions import ShipmentError
from shipments.statuses import Status

from . import client, rules
from .delivery import claim, send
from .models import Message, Subscription

SECRET_BYTES = 24
# After a rotation the previous secret signs too, for this long: receivers switch in their own time.
ROTATION_OVERLAP = timedelta(hours=24)


def new_secret() -> str:
    """A secret in the Standard Webhooks form: ``whsec_`` and the base64 of random bytes."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def url_problems(url: str) -> list[str]:
    """What is wrong with ``url`` as an endpoint, its host resolved now: every
    address it resolves to must be public (or in WEBHOOK_ALLOWED_NETWORKS). The
    same check runs again before each delivery (DNS can change meanwhile)."""
    problems = rules.url_problems(url, require_https=settings.WEBHOOK_REQUIRE_HTTPS)
    if problems:
        return problems
    try:
        client.vetted_address(rules.target(url))
    except client.Refused as error:
        return [str(error)]
    return []


def subscription_problems(*, url: str | None = None, events: list[str] | None = None) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {}
    if url is not None and (messages := url_problems(url)):
        problems["url"] = messages
    if events is not None:
        unknown = [event for event in events if event not in Status.values]
        if unknown:
            problems["events"] = [f"Unknown status: {', '.join(map(str, unknown))}. Use {', '.join(Status.values)}."]
    return problems


def _refuse(problems: dict[str, list[str]]) -> None:
    if problems:
        raise ShipmentError("Please correct the highlighted fields.", details=problems)


@transaction.atomic
def subscription_create(
    *,
    url: str,
    events: list[str] | None = None,
    origin_offices: list[Office] | None = None,
    description: str = "",
    active: bool = True,
) -> Subscription:
    """A new subscription with a fresh secret (``subscription.secret``: show it once)."""
    events = sorted(set(events or []))
    _refuse(subscription_problems(url=url, events=events))
    subscription = Subscription.objects.create(
        url=url, events=events, description=description, active=active, secret=new_secret()
    )
    subscription.origin_offices.set(origin_offices or [])
    return subscription


@transaction.atomic
def subscription_update(*, subscription: Subscription, **changes) -> Subscription:
    """Change url, events, origin_offices, description or active. Turning a
    subscription on again clears what the deliveries noted (failing, slowed, off)."""
    subscription = Subscription.objects.select_for_update().get(pk=subscription.pk)
    if "events" in changes:
        changes["events"] = sorted(set(changes["events"] or []))
    _refuse(subscription_problems(url=changes.get("url"), events=changes.get("events")))
    offices = changes.pop("origin_offices", None)
    for name in ("url", "events", "description", "active"):
        if name in changes:
            setattr(subscription, name, changes[name])
    if changes.get("active"):
        subscription.disabled_at, subscription.disabled_reason = None, ""
        subscription.failing_since = subscription.paused_until = None
    subscription.save()
    if offices is not None:
        subscription.origin_offices.set(offices)
    return subscription


@transaction.atomic
def subscription_rotate_secret(*, subscription: Subscription) -> str:
    """A new secret (returned: show it once); the old one keeps signing beside it for ROTATION_OVERLAP."""
    subscription = Subscription.objects.select_for_update().get(pk=subscription.pk)
    subscription.previous_secret = subscription.secret
    subscription.previous_secret_until = timezone.now() + ROTATION_OVERLAP
    subscription.secret = new_secret()
    subscription.save(update_fields=["secret", "previous_secret", "previous_secret_until", "updated_at"])
    return subscription.secret


def subscription_delete(*, subscription: Subscription) -> None:
    """Gone with its messages and their log."""
    subscription.delete()


def messages_redeliver(
    *, subscription: Subscription, webhook_id: str | None = None, since: datetime | None = None
) -> int:
    """Send again, with the same webhook-id: one message (delivered or not), or
    every failed one created since ``since``. Each gets one more attempt (or
    what is left of its schedule); event order per package still holds."""
    if not subscription.active:
        raise ShipmentError(
            "The subscription is off: turn it on first.", code="subscription_off", details={"active": ["Off."]}
        )
    messages = subscription.messages.all()
    if webhook_id is not None:
        messages = messages.filter(webhook_id=webhook_id)
        if not messages.exists():
            raise ShipmentError(
                f"No message {webhook_id} for this subscription.", details={"webhook_id": ["Unknown message."]}
            )
    else:
        messages = messages.filter(state=Message.State.FAILED, created_at__gte=since)
    return redeliver(messages=messages)


def redeliver(*, messages) -> int:
    """The given messages (of subscriptions that are on) due again now, with their webhook-ids (the admin's action)."""
    return messages.filter(subscription__active=True).update(
        state=Message.State.PENDING, next_attempt_at=timezone.now(), last_error=""
    )


def subscription_send_test(*, subscription: Subscription) -> Message:
    """A ``webhook.test`` message, tried at once (the admin's button, the API's
    test/); if that fails it is retried like any other."""
    now = timezone.now()
    message = Message.objects.create(
        subscription=subscription,
        webhook_id=f"msg_{uuid.uuid4().hex}",
        event_type="webhook.test",
        body=rules.ping_body(subscription_id=subscription.pk, now=now),
        next_attempt_at=now,
        created_at=now,
    )
    claimed = claim(Message.objects.filter(pk=message.pk), limit=1)
    if claimed:
        send(claimed)
    message.refresh_from_db()
    return message
