from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "webhooks"
    verbose_name = "Partner webhooks"

    def ready(self) -> None:
        from notifications.signals import enqueued

        from .receivers import enqueue_for_events

        enqueued.connect(enqueue_for_events, dispatch_uid="webhooks.enqueue_for_events")
