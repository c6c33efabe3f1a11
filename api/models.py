"""The API's own table: throttle counters."""

from django.db import models


class ThrottleWindow(models.Model):
    """One throttle window of one client: who (scope and user or address), when
    the window ends and how many requests it has counted so far. Written by
    ``api.throttling`` with one atomic statement per request."""

    key = models.TextField(primary_key=True)
    hits = models.PositiveIntegerField()
    expires = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["expires"], name="api_throttle_expires_idx")]

    def __str__(self):
        return f"{self.key}: {self.hits} until {self.expires:%H:%M:%S}"
