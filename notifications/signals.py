"""What the outbox tells other outboxes (the partner webhooks): the events whose
rows it has just written, in the same transaction."""

from django.dispatch import Signal

# Sent by services.enqueue with ``events``: a list of TrackingEvent (each with its package loaded).
enqueued = Signal()
