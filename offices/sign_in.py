"""Signing in to the back-office: the admin site and its login form, the
lockout after repeated failures, two-factor sign-in, and how long a session lasts.

- Lockout (django-axes, settings ``AXES_*``): the backend refuses a user name
  and address that failed too often, and an account that failed too often from
  every address together (``offices.lockout``, briefly); the login form says
  which and ``lockout_response`` answers 429 with that page.
- Two-factor (django-otp, TOTP): a user with a confirmed device gives its code
  with their password; HQ without one cannot use the admin where
  ``access.needs_two_factor`` (production). A refused sign-in gets one message
  whatever was wrong (password, code, HQ without an app: it says how to enrol),
  so the page never confirms a guessed password.
- A session ends when the browser closes (``SESSION_EXPIRE_AT_BROWSER_CLOSE``)
  and after ``SESSION_COOKIE_AGE`` without use (``SESSION_IDLE_HOURS``): each
  save of a session moves its expiry that far ahead.
"""

import time
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.urls import reverse, reverse_lazy
from django_otp import devices_for_user
from django_otp.forms import OTPAuthenticationFormMixin

from offices import access

# When the session was last saved to move its expiry ahead (epoch seconds).
REFRESHED_KEY = "_refreshed_at"

# One answer for every refused sign-in (a wrong password, a missing or wrong code, HQ without an
# authenticator app): a different one would confirm a guessed password before the second factor.
SIGN_IN_REFUSED = (
    "Please enter the correct user name and password for a staff account, and the code your authenticator "
    "app shows if your account has one (HQ accounts need one: without an app yet, ask an operator to run "
    "“manage.py add_totp_device” for you). Note that both fields may be case-sensitive."
)
SIGN_IN_AGAIN_MESSAGE = (
    "HQ accounts sign in with a code from an authenticator app: sign in again below with yours. No app yet? "
    "Ask an operator to run “manage.py add_totp_device {username}”."
)

# --- the login form and the lockout ----------------------------------------------------------


def lockout_message(request=None) -> str:
    if getattr(request, "axes_account_paused", False):  # offices.lockout: the account's ceiling
        return (
            "Too many failed sign-ins for this user from several addresses: signing in is paused for everyone. "
            f"Wait {settings.LOGIN_ACCOUNT_LOCKOUT_MINUTES} minutes before trying again; HQ has been told."
        )
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return (
        f"Too many failed sign-ins for this user from your address: signing in is locked. Wait {minutes} "
        "minutes before trying again (each try starts the wait again), or ask HQ to lift the lock."
    )


class SignInForm(OTPAuthenticationFormMixin, AdminAuthenticationForm):
    """The admin's login form: user name, password and, for whoever has set up
    two-factor sign-in, the code of their authenticator app (django-otp's form
    asks every user for one; this one only those with a device). A locked-out
    user name and address are told so, even with the right password. Any other
    refusal is one message and one page, whatever was wrong (SIGN_IN_REFUSED)."""

    error_messages = {**AdminAuthenticationForm.error_messages, "invalid_login": SIGN_IN_REFUSED}

    otp_device = forms.CharField(required=False, widget=forms.Select)
    otp_token = forms.CharField(
        required=False,
        label="Two-factor code",
        help_text="The 6 digits your authenticator app shows, if your account uses two-factor sign-in.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
    otp_challenge = forms.CharField(required=False)  # django-otp's; TOTP devices have no challenge

    def get_invalid_login_error(self):
        # django-axes marks the request when it refuses (or has just locked) this sign-in.
        if getattr(self.request, "axes_locked_out", False):
            return ValidationError(lockout_message(self.request), code="locked_out")
        return super().get_invalid_login_error()

    def clean(self):
        cleaned = super().clean()  # the password (and the lockout)
        user = self.get_user()
        devices = list(devices_for_user(user))
        try:
            if devices:
                if not cleaned.get("otp_device") and len(devices) == 1:
                    cleaned["otp_device"] = devices[0].persistent_id
                self.clean_otp(user)  # django-otp's own messages (code missing, wrong, throttled) stay inside
            elif access.needs_two_factor(user):
                raise ValidationError("HQ without an authenticator app.", code="two_factor_missing")
        except ValidationError:
            # django-otp fills the password in again and lists the devices once the password
            # was right: the page would tell. Redraw it as for a wrong password.
            self.fields["password"].widget.render_value = False
            self.fields["otp_device"].widget.choices = []
            raise self.get_invalid_login_error() from None
        return cleaned


class BackOfficeAdminSite(admin.AdminSite):
    """``admin.site`` (offices.apps.BackOfficeAdminConfig): its login form, and
    HQ in production only with a second factor."""

    login_form = SignInForm
    login_template = "admin/sign_in.html"

    def has_permission(self, request):
        return super().has_permission(request) and not _second_factor_missing(request.user)

    def login(self, request, extra_context=None):
        if request.user.is_authenticated and _second_factor_missing(request.user):
            # Signed in without a code (before two-factor was required): say what is missing.
            message = SIGN_IN_AGAIN_MESSAGE.format(username=request.user.get_username())
            extra_context = {**(extra_context or {}), "two_factor_message": message}
        return super().login(request, extra_context)


def _second_factor_missing(user) -> bool:
    return access.lacks_second_factor(user)


def lockout_response(request, original_response=None, credentials=None):
    """``AXES_LOCKOUT_CALLABLE``: the login page that says why (``SignInForm``), as a 429."""
    if original_response is not None and request.path == reverse("admin:login"):
        original_response.status_code = 429
        return original_response
    return HttpResponse(lockout_message(request), status=429, content_type="text/plain; charset=utf-8")


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


class _BackOfficePage:
    """The admin's header, title and links on a sign-in page outside the admin."""

    title = ""
    request: Any

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        site = admin.site.each_context(self.request)
        return {**site, **context, "title": self.title, "is_nav_sidebar_enabled": False}


class PasswordSetView(_BackOfficePage, auth_views.PasswordResetConfirmView):
    """Choosing a password from the one-time link ``add_hq_user`` prints."""

    title = "Choose your password"
    success_url = reverse_lazy("password_set_done")


class PasswordSetDoneView(_BackOfficePage, auth_views.PasswordResetCompleteView):
    title = "Your password is set"
