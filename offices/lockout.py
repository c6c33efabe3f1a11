"""The sign-in lockout's second limit, per account (django-axes' handler, ``AXES_HANDLER``).

Axes locks a user name at one client address after ``LOGIN_FAILURE_LIMIT``
failures, for ``LOGIN_LOCKOUT_MINUTES``: guesses spread over many addresses
never reach it. So an account also has a ceiling over every address:
``LOGIN_ACCOUNT_FAILURE_LIMIT`` failures whose last try is less than
``LOGIN_ACCOUNT_LOCKOUT_MINUTES`` old pause it everywhere, the right password
included. The pause is short on purpose (an attacker who can pause a clerk must
not keep them out for an hour), and a sign-in refused by it is not counted
against that address (the clerk trying again at the counter would lock their
own address). Reaching the ceiling is logged as a warning and shown to HQ on
the admin home (``paused_accounts``).
"""

import logging
from dataclasses import dataclass
from datetime import timedelta

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Count, Sum
from django.utils import timezone

logger = logging.getLogger("offices.sign_in")


@dataclass(frozen=True)
class PausedAccount:
    username: str
    failures: int
    addresses: int


def _recent_attempts():
    since = timezone.now() - timedelta(minutes=settings.LOGIN_ACCOUNT_LOCKOUT_MINUTES)
    return AccessAttempt.objects.filter(attempt_time__gte=since)


def account_failures(username: str) -> tuple[int, int]:
    """Failed sign-ins of ``username`` from every address in the window, and how many addresses."""
    row = (
        _recent_attempts()
        .filter(username=username)
        .aggregate(failures=Sum("failures_since_start"), addresses=Count("ip_address", distinct=True))
    )
    return row["failures"] or 0, row["addresses"]


def paused_accounts() -> list[PausedAccount]:
    """The accounts whose sign-ins are paused now, for HQ's admin home."""
    rows = (
        _recent_attempts()
        .values("username")
        .annotate(failures=Sum("failures_since_start"), addresses=Count("ip_address", distinct=True))
        .filter(failures__gte=settings.LOGIN_ACCOUNT_FAILURE_LIMIT)
        .order_by("username")
    )
    return [PausedAccount(row["username"], row["failures"], row["addresses"]) for row in rows]


class AccountCeilingHandler(AxesDatabaseHandler):
    """Axes' database handler with the per-account ceiling on top of its
    per-address limit. ``request.axes_account_paused`` says which one refused."""

    def is_locked(self, request, credentials=None) -> bool:
        if super().is_locked(request, credentials):
            return True
        username = get_client_username(request, credentials)
        if username and account_failures(username)[0] >= settings.LOGIN_ACCOUNT_FAILURE_LIMIT:
            request.axes_account_paused = True
            return True
        return False

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        if request is not None and getattr(request, "axes_account_paused", False):
            request.axes_locked_out = True  # refused by the ceiling: not counted against this address
            return
        super().user_login_failed(sender, credentials, request, **kwargs)
        username = get_client_username(request, credentials) if request is not None else None
        if not username:
            return
        failures, addresses = account_failures(username)
        if failures < settings.LOGIN_ACCOUNT_FAILURE_LIMIT:
            return
        if not request.axes_locked_out:
            request.axes_locked_out = request.axes_account_paused = True
        if failures == settings.LOGIN_ACCOUNT_FAILURE_LIMIT:
            logger.warning(
                "Sign-ins of %s are paused: %s failed sign-ins from %s addresses in %s minutes.",
                username,
                failures,
                addresses,
                settings.LOGIN_ACCOUNT_LOCKOUT_MINUTES,
            )
