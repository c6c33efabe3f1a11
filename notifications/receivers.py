"""The post_save receiver that turns a new tracking event into outbox rows."""

from shipments.models import TrackingEvent

from .muting import is_muted
from .services import enqueue


def enqueue_for_event(sender, instance: TrackingEvent, created: bool, raw: bool = False, **kwargs) -> None:
    """Created events only (events are append-only), never fixture loading, and
    not inside ``muting.muted()``."""
    if created and not raw and not is_muted():
        enqueue([instance])
