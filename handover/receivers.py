"""The post_save receiver that issues a collection code when a parcel becomes ready for handover."""

from shipments.models import TrackingEvent

from .rules import READY_FOR_HANDOVER
from .services import collection_code_issue


def issue_code_for_event(sender, instance: TrackingEvent, created: bool, raw: bool = False, **kwargs) -> None:
    if created and not raw and instance.status in READY_FOR_HANDOVER:
        collection_code_issue(event=instance)
