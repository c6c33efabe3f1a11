"""The outbox's ``enqueued`` signal (notifications.signals) writes the partner
webhooks' messages of the same events, in the same transaction."""

from .delivery import enqueue


def enqueue_for_events(sender, events, **kwargs) -> None:
    enqueue(events)
