from django.apps import AppConfig


class HandoverConfig(AppConfig):
    name = "handover"
    verbose_name = "Handover (proof of delivery, collection codes)"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from shipments.models import TrackingEvent

        from .receivers import issue_code_for_event

        # After notifications' own receiver (INSTALLED_APPS order): the receiver's outbox
        # rows of the event exist, and the code is sealed into them.
        post_save.connect(issue_code_for_event, sender=TrackingEvent, dispatch_uid="handover.issue_code_for_event")
