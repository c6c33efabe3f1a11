from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from shipments.models import TrackingEvent

        from .receivers import enqueue_for_event

        post_save.connect(enqueue_for_event, sender=TrackingEvent, dispatch_uid="notifications.enqueue_for_event")
