"""Signing in to the back-office: sessions that end, lockout after repeated
failures, two-factor sign-in."""

import io
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from offices.sign_in import REFRESHED_KEY
from tests.helpers import login

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


# --- lockout ----------------------------------------------------------------------------

ATTACKER = "203.0.113.66"
OFFICE = "198.51.100.10"


def test_repeated_wrong_passwords_lock_that_user_out_at_that_address(hq):
    attacker = Client(REMOTE_ADDR=ATTACKER)
    for attempt in range(1, 6):
        response = sign_in(attacker, "hq", f"guess-{attempt}")
    assert response.status_code == 429  # the fifth failure locks
    assert "Too many failed sign-ins for this user from your address" in response.content.decode()
    # Now the right password is refused too, and says why.
    response = sign_in(attacker, "hq")
    assert response.status_code == 429
    page = response.content.decode()
    assert "signing in is locked" in page
    assert 'id="login-form"' in page
    assert attacker.get(INDEX).status_code == 302  # not signed in
    # The same person from another address, and another user from that one, are not locked.
    assert sign_in(Client(REMOTE_ADDR=OFFICE), "hq").status_code == 302


def test_a_few_mistakes_followed_by_the_right_password_sign_in_and_start_again(clerk_a):
    client = Client(REMOTE_ADDR=OFFICE)
    for _ in range(4):
        assert sign_in(client, "clerk_a", "typo").status_code == 200
    assert sign_in(client, "clerk_a").status_code == 302
    client.logout()
    for _ in range(4):
        assert sign_in(client, "clerk_a", "typo").status_code == 200
    assert sign_in(client, "clerk_a").status_code == 302


def test_hq_sees_the_lockout_in_the_admin_and_axes_reset_lifts_it(hq, clerk_a):
    attacker = Client(REMOTE_ADDR=ATTACKER)
    for _ in range(5):
        sign_in(attacker, "clerk_a", "wrong")
    locked = reverse("admin:axes_accessattempt_changelist") + "?locked_out=yes"
    page = login(hq).get(locked)
    assert page.status_code == 200
    assert "clerk_a" in page.content.decode()
    assert ATTACKER in page.content.decode()
    assert login(clerk_a).get(locked).status_code == 403

    out = io.StringIO()
    call_command("axes_reset_username", "clerk_a", stdout=out)
    assert "1 attempts removed" in out.getvalue()
    assert sign_in(attacker, "clerk_a").status_code == 302
    for _ in range(5):
        sign_in(Client(REMOTE_ADDR=ATTACKER), "hq", "wrong")
    call_command("axes_reset", stdout=out)
    assert sign_in(Client(REMOTE_ADDR=ATTACKER), "hq").status_code == 302


def test_a_lockout_does_not_touch_the_apis_cognito_tokens(cognito_settings, clerk_a, package_a, api_client):
    for _ in range(6):
        sign_in(Client(REMOTE_ADDR="127.0.0.1"), "clerk_a", "wrong")
    token = cognito_settings["tokens_for"]("clerk_a")["access"]
    response = api_client.get("/api/v1/packages/", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.content
