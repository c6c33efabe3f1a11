"""Signing in to the back-office: how long a session lasts.

A session ends when the browser closes (``SESSION_EXPIRE_AT_BROWSER_CLOSE``)
and after ``SESSION_COOKIE_AGE`` without use (``SESSION_IDLE_HOURS``): each
save of a session moves its expiry that far ahead.
"""

import time

from django.conf import settings

# When the session was last saved to move its expiry ahead (epoch seconds).
REFRESHED_KEY = "_refreshed_at"


class SessionIdleTimeoutMiddleware:
    """Keeps a session alive while it is used: saves it again, which pushes its
    expiry ahead, at most every ``SESSION_REFRESH_SECONDS`` (Django's
    ``SESSION_SAVE_EVERY_REQUEST`` would write the session row on every request).
    Goes after ``SessionMiddleware`` in ``MIDDLEWARE``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        # Only a session this request read (a signed-in page): an untouched one stays unloaded.
        if session is not None and session.accessed and not session.is_empty():
            now = int(time.time())
            if now - session.get(REFRESHED_KEY, 0) >= settings.SESSION_REFRESH_SECONDS:
                session[REFRESHED_KEY] = now  # marks it modified: SessionMiddleware saves it
        return response


def note_sign_in(sender, request, user, **kwargs):
    """Signing in saves the session: count that as its first refresh (``user_logged_in``)."""
    session = getattr(request, "session", None)
    if session is not None:
        session[REFRESHED_KEY] = int(time.time())
