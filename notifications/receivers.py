"""The post_save receiver that turns a new tracking event into outbox rows."""

from shipments.models import TrackingEvent

from .services import enqueue


def enqueue_for_event(sender, instance: TrackingEvent, created: bool, raw: bool = False, **kwargs) -> None:
    """Created events only (events are append-only), never fixture loading."""
    if created and not raw:
        enqueue([instance])
