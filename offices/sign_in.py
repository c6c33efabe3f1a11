"""Signing in to the back-office: the admin site and its login form, the
lockout after repeated failures, and how long a session lasts.

- Lockout (django-axes, settings ``AXES_*``): the backend refuses a user name
  and address that failed too often; the login form says so and
  ``lockout_response`` answers 429 with that page.
- A session ends when the browser closes (``SESSION_EXPIRE_AT_BROWSER_CLOSE``)
  and after ``SESSION_COOKIE_AGE`` without use (``SESSION_IDLE_HOURS``): each
  save of a session moves its expiry that far ahead.
"""

import time

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.urls import reverse

# When the session was last saved to move its expiry ahead (epoch seconds).
REFRESHED_KEY = "_refreshed_at"

# --- the login form and the lockout ----------------------------------------------------------


def lockout_message() -> str:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return (
        f"Too many failed sign-ins for this user from your address: signing in is locked. Wait {minutes} "
        "minutes before trying again (each try starts the wait again), or ask HQ to lift the lock."
    )


class SignInForm(AdminAuthenticationForm):
    """The admin's login form; a locked-out user name and address are told so,
    even with the right password."""

    def get_invalid_login_error(self):
        # django-axes marks the request when it refuses (or has just locked) this sign-in.
        if getattr(self.request, "axes_locked_out", False):
            return ValidationError(lockout_message(), code="locked_out")
        return super().get_invalid_login_error()


class BackOfficeAdminSite(admin.AdminSite):
    """``admin.site`` (offices.apps.BackOfficeAdminConfig)."""

    login_form = SignInForm


def lockout_response(request, original_response=None, credentials=None):
    """``AXES_LOCKOUT_CALLABLE``: the login page that says why (``SignInForm``), as a 429."""
    if original_response is not None and request.path == reverse("admin:login"):
        original_response.status_code = 429
        return original_response
    return HttpResponse(lockout_message(), status=429, content_type="text/plain; charset=utf-8")


# --- sessions -------------------------------------------------------------------------------


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
