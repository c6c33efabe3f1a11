"""Throttles counted in the database, one atomic statement per request.

Every Lambda container shares the database, so the count is the same whichever
container answers (a per-process memory cache would forget it on each cold
start). A window opens on a client's first request and lasts the rate's
period; each request adds one to the window's count with one
``INSERT ... ON CONFLICT DO UPDATE ... RETURNING`` on ``api_throttlewindow``.
PostgreSQL applies concurrent upserts of one key one after the other, so
exactly the rate's number of requests get through, however many arrive at
once (reading a history, appending and writing it back let 16 concurrent
clients through twice over). Rates come from settings.API_THROTTLE_RATES and
are read per request (DRF reads its own at import time).
"""

from datetime import timedelta

from django.conf import settings
from django.db import connections, router
from django.utils import timezone
from rest_framework.throttling import SimpleRateThrottle

from .models import ThrottleWindow

EXPIRED_WINDOWS_CLEARED_PER_REQUEST = 50


def count_request(key: str, period_seconds: int) -> tuple[int, float]:
    """Count one request against ``key``; return the window's count including
    it and the seconds until the window ends.

    The same statement clears a few expired windows (through the index on
    ``expires``; rows another request is clearing are skipped, never waited
    for), so the table stays small without a scheduled job, and does not wait
    for the WAL flush: losing the last hits in a database crash is harmless.
    """
    connection = connections[router.db_for_write(ThrottleWindow)]
    table = connection.ops.quote_name(ThrottleWindow._meta.db_table)
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH expired AS (DELETE FROM {table} WHERE key IN ("  # noqa: S608 (our table name, values are parameters)
            f"  SELECT key FROM {table} WHERE expires <= %(now)s AND key <> %(key)s"
            "   LIMIT %(clear)s FOR UPDATE SKIP LOCKED)) "
            f"INSERT INTO {table} AS counted (key, hits, expires) "
            "SELECT %(key)s, 1, %(expires)s "
            "FROM (SELECT set_config('synchronous_commit', 'off', true)) AS no_flush_wait "
            "ON CONFLICT (key) DO UPDATE SET "
            "  hits = CASE WHEN counted.expires <= %(now)s THEN 1 ELSE counted.hits + 1 END, "
            "  expires = CASE WHEN counted.expires <= %(now)s THEN EXCLUDED.expires ELSE counted.expires END "
            "RETURNING hits, expires",
            {
                "now": now,
                "key": key,
                "clear": EXPIRED_WINDOWS_CLEARED_PER_REQUEST,
                "expires": now + timedelta(seconds=period_seconds),
            },
        )
        hits, expires = cursor.fetchone()
    return hits, max((expires - now).total_seconds(), 0.0)


class _CountingRateThrottle(SimpleRateThrottle):
    """DRF's rate throttle interface (rates like ``30/minute``, ``get_ident``
    with settings.REST_FRAMEWORK["NUM_PROXIES"]) over ``count_request``."""

    def get_rate(self):
        return settings.API_THROTTLE_RATES[self.scope]

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        hits, self.seconds_left = count_request(self.key, self.duration)
        return hits <= self.num_requests

    def wait(self):
        return self.seconds_left


class UserThrottle(_CountingRateThrottle):
    """Per signed-in user, whichever way they signed in."""

    scope = "user"

    def get_cache_key(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


class AnonymousThrottle(_CountingRateThrottle):
    """Per client address for requests without a user."""

    scope = "anonymous"

    def get_cache_key(self, request, view):
        if request.user and request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class PublicTrackingThrottle(_CountingRateThrottle):
    """Per client address, signed in or not: guessing tracking numbers is slow.

    Works on a plain Django request too (the /track/ page uses it)."""

    scope = "tracking"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
