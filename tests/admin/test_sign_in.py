"""Signing in to the back-office: sessions that end, lockout after repeated
failures, two-factor sign-in."""

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from offices.sign_in import REFRESHED_KEY

LOGIN = reverse("admin:login")
INDEX = reverse("admin:index")
PASSWORD = "pass-for-tests"  # tests.factories.UserFactory
ROOT = Path(__file__).resolve().parents[2]


def sign_in(client, username, password=PASSWORD, **extra):
    return client.post(LOGIN, {"username": username, "password": password, "next": INDEX, **extra})


# --- sessions -------------------------------------------------------------------------


def test_a_session_ends_when_the_browser_closes_and_after_a_shift_without_use(clerk_a):
    client = Client()
    response = sign_in(client, "clerk_a")
    assert response.status_code == 302
    cookie = response.cookies["sessionid"]
    assert (cookie["max-age"], cookie["expires"]) == ("", "")  # a browser-session cookie
    session = Session.objects.get(session_key=cookie.value)
    assert abs(session.expire_date - (timezone.now() + timedelta(hours=8))) < timedelta(minutes=1)

    # An idle session that has run out is gone: back to the login page.
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get(INDEX)
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_using_a_session_moves_its_end_ahead_at_most_once_a_minute(clerk_a):
    client = Client()
    sign_in(client, "clerk_a")
    key = client.cookies["sessionid"].value
    soon = timezone.now() + timedelta(hours=1)
    Session.objects.filter(pk=key).update(expire_date=soon)
    client.get(INDEX)  # saved at sign-in less than a minute ago: not saved again
    assert Session.objects.get(pk=key).expire_date == soon

    store = client.session
    store[REFRESHED_KEY] -= 61
    store.save()
    Session.objects.filter(pk=key).update(expire_date=soon)
    client.get(INDEX)
    assert Session.objects.get(pk=key).expire_date > timezone.now() + timedelta(hours=7, minutes=59)


def test_the_idle_time_is_set_by_the_environment():
    env = {**os.environ, "SESSION_IDLE_HOURS": "2.5", "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; print(settings.SESSION_COOKIE_AGE)",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.strip() == "9000", result.stderr
