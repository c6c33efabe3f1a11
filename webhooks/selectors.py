"""Reads of the partner webhooks: subscriptions, the delivery log, and those the deliveries turned off."""

from django.db.models import QuerySet

from .models import Attempt, Subscription


def subscription_list() -> QuerySet[Subscription]:
    return Subscription.objects.prefetch_related("origin_offices").order_by("-id")


def delivery_log(subscription: Subscription) -> QuerySet[Attempt]:
    """Every attempt of the subscription's messages, newest first, with its message."""
    return Attempt.objects.filter(subscription=subscription).select_related("message").order_by("-id")


def turned_off() -> list[Subscription]:
    """Subscriptions the deliveries turned off (410, or five failing days) and nobody turned on again."""
    return list(Subscription.objects.filter(active=False, disabled_at__isnull=False).order_by("-disabled_at")[:20])
