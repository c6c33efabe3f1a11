"""Throttles on the shared database cache.

The cache is the ``django_cache`` table (settings.CACHES["throttle"]), the only store
every Lambda container shares; a per-process memory cache would forget each
count on the next cold start. Rates come from settings.API_THROTTLE_RATES and
are read per request (DRF reads its own at import time).
"""

from django.conf import settings
from django.core.cache import caches
from rest_framework.throttling import SimpleRateThrottle


class _SettingsRateThrottle(SimpleRateThrottle):
    @property
    def cache(self):
        return caches["throttle"]

    def get_rate(self):
        return settings.API_THROTTLE_RATES[self.scope]


class UserThrottle(_SettingsRateThrottle):
    """Per signed-in user, whichever way they signed in."""

    scope = "user"

    def get_cache_key(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


class AnonymousThrottle(_SettingsRateThrottle):
    """Per client address for requests without a user."""

    scope = "anonymous"

    def get_cache_key(self, request, view):
        if request.user and request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class PublicTrackingThrottle(_SettingsRateThrottle):
    """Per client address, signed in or not: guessing tracking numbers is slow.

    Works on a plain Django request too (the /track/ page uses it)."""

    scope = "tracking"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
