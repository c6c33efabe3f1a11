"""Signing in to the back-office: sessions that end, lockout after repeated
failures, two-factor sign-in."""

import io
import os
import re
import subprocess
import sys
from base64 import b32encode
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.sessions.models import Session
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from offices.services import totp_device_add
from offices.sign_in import REFRESHED_KEY
from tests.helpers import PRODUCTION_ENV, login
from tests.helpers import totp_code as code

LOGIN = reverse("admin:login")
INDEX = reverse("admin:index")
PASSWORD = "pass-for-tests"  # tests.factories.UserFactory
ROOT = Path(__file__).resolve().parents[2]
READ_SETTING = (
    "import sys, django; django.setup(); from django.conf import settings; print(getattr(settings, sys.argv[1]))"
)


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


def _setting(name: str, **env: str) -> str:
    """A setting as a new process with these environment variables reads it."""
    result = subprocess.run(  # noqa: S603 (our interpreter, our script, a setting name)
        [sys.executable, "-c", READ_SETTING, name],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_the_idle_time_is_set_by_the_environment():
    assert (
        _setting("SESSION_COOKIE_AGE", SESSION_IDLE_HOURS="2.5", DJANGO_SETTINGS_MODULE="config.settings.test")
        == "9000"
    )


@pytest.mark.parametrize("next_url", ["https://evil.example/admin/", "//evil.example/", "javascript:alert(1)"])
def test_a_refused_next_after_sign_in_lands_on_the_admin_index(clerk_a, next_url):
    client = Client()
    response = sign_in(client, "clerk_a", next=next_url)
    assert response.status_code == 302
    assert response["Location"] == INDEX
    assert client.get(response["Location"]).status_code == 200


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


def test_guesses_spread_over_many_addresses_pause_the_account_briefly_and_tell_hq(hq, clerk_a, caplog):
    """Five addresses, four guesses each (never the per-address limit): the account's ceiling (20) pauses
    it for every address, the right password included, for LOGIN_ACCOUNT_LOCKOUT_MINUTES (15); HQ is
    told (a warning in the log, a notice on the admin home); then the clerk signs in again."""
    from axes.models import AccessAttempt

    for number in range(1, 6):
        attacker = Client(REMOTE_ADDR=f"203.0.113.{number}")
        for attempt in range(4):
            assert sign_in(attacker, "clerk_a", f"guess-{attempt}").status_code in (200, 429)

    # A sixth address with the right password: paused, and told why.
    clerk = Client(REMOTE_ADDR=OFFICE)
    response = sign_in(clerk, "clerk_a")
    assert response.status_code == 429
    page = response.content.decode()
    assert "Too many failed sign-ins for this user from several addresses" in page
    assert "15 minutes" in page
    assert clerk.get(INDEX).status_code == 302  # not signed in
    assert "Sign-ins of clerk_a are paused: 20 failed sign-ins from 5 addresses" in caplog.text
    home = login(hq).get(INDEX).content.decode()
    assert 'id="paused-sign-ins"' in home
    assert "clerk_a" in home.split('id="paused-sign-ins"', 1)[1].split("</p>", 1)[0]
    assert 'id="paused-sign-ins"' not in login(clerk_a).get(INDEX).content.decode()
    # The refusals while paused do not count against the clerk's own address.
    for _ in range(5):
        sign_in(clerk, "clerk_a")
    assert not AccessAttempt.objects.filter(username="clerk_a", ip_address=OFFICE).exists()

    # A short pause: once the last guess is 15 minutes old, the clerk signs in.
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert sign_in(clerk, "clerk_a").status_code == 302
    assert 'id="paused-sign-ins"' not in login(hq).get(INDEX).content.decode()


def test_a_lockout_does_not_touch_the_apis_cognito_tokens(cognito_settings, clerk_a, package_a, api_client):
    for _ in range(6):
        sign_in(Client(REMOTE_ADDR="127.0.0.1"), "clerk_a", "wrong")
    token = cognito_settings["tokens_for"]("clerk_a")["access"]
    response = api_client.get("/api/v1/packages/", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.content


# --- two-factor sign-in -------------------------------------------------------------------


def test_a_staff_user_with_an_authenticator_app_must_give_its_code(clerk_a):
    device = totp_device_add(actor=None, user=clerk_a)
    client = Client()
    response = sign_in(client, "clerk_a")
    assert response.status_code == 200
    assert "and the code your authenticator app shows if your account has one" in response.content.decode()
    assert client.get(INDEX).status_code == 302  # not signed in
    response = sign_in(client, "clerk_a", otp_token="000000" if code(device) != "000000" else "111111")
    assert "and the code your authenticator app shows if your account has one" in response.content.decode()
    assert client.get(INDEX).status_code == 302  # not signed in
    device.refresh_from_db()
    device.throttle_reset()  # django-otp slows down guessing after a wrong code
    response = sign_in(client, "clerk_a", otp_token=code(device))
    assert response.status_code == 302
    assert client.get(INDEX).status_code == 200
    # The password is still checked first: a right code with a wrong password is refused.
    assert sign_in(Client(), "clerk_a", "wrong", otp_token=code(device, 1)).status_code == 200


def _page_without_tokens(response) -> str:
    """The login page as a person sees it, without what changes on every response (the CSRF
    token, the CSP nonce) and the code typed."""
    page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())
    page = re.sub(r'nonce="[^"]*"', "", page)
    return re.sub(r'(<input[^>]*name="otp_token"[^>]*?) value="\d*"', r"\1", page)


@pytest.mark.parametrize("required", [False, True], ids=["locally", "where-hq-needs-two-factor"])
def test_the_sign_in_page_never_says_whether_the_password_was_right(settings, hq, clerk_a, required):
    """A wrong password, the right one without the code, with a wrong code, and HQ's right password
    without an authenticator app: one page, word for word (nothing confirms a guessed password)."""
    settings.TWO_FACTOR_REQUIRED_FOR_HQ = required
    device = totp_device_add(actor=None, user=clerk_a)
    wrong_code = "000000" if code(device) != "000000" else "111111"
    attempts = {
        "wrong password": ("clerk_a", "wrong", {}),
        "right password, no code": ("clerk_a", PASSWORD, {}),
        "right password, wrong code": ("clerk_a", PASSWORD, {"otp_token": wrong_code}),
        "wrong password, right code": ("clerk_a", "wrong", {"otp_token": code(device)}),
    }
    if required:
        attempts["HQ: wrong password"] = ("hq", "wrong", {})
        attempts["HQ: right password, no app"] = ("hq", PASSWORD, {})
    pages = {}
    for name, (username, password, extra) in attempts.items():
        response = sign_in(Client(REMOTE_ADDR=f"192.0.2.{len(pages) + 1}"), username, password, **extra)
        assert response.status_code == 200, name
        pages[name] = _page_without_tokens(response).replace('value="hq"', 'value="clerk_a"')
        # django-otp makes the next code wait after a wrong one: not what this test is about.
        TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)
    assert {name: page == pages["wrong password"] for name, page in pages.items()} == dict.fromkeys(pages, True)
    assert PASSWORD not in pages["right password, no code"]  # the password is not sent back filled in
    assert "Please enter the correct user name and password" in pages["wrong password"]


def test_without_a_device_the_code_is_not_asked_for_locally(settings, clerk_a, hq):
    assert not settings.TWO_FACTOR_REQUIRED_FOR_HQ
    for username in ("clerk_a", "hq"):
        assert sign_in(Client(), username).status_code == 302


def test_hq_without_an_authenticator_app_cannot_use_the_admin_where_it_is_required(settings, hq, clerk_a):
    settings.TWO_FACTOR_REQUIRED_FOR_HQ = True
    response = sign_in(Client(), "hq")
    assert response.status_code == 200
    assert "HQ accounts need one: without an app yet, ask an operator to run" in response.content.decode()
    assert "manage.py add_totp_device" in response.content.decode()
    # Clerks are not HQ: their password is enough.
    assert sign_in(Client(), "clerk_a").status_code == 302
    # A session signed in without a code (before this was required) is sent back to sign in.
    response = login(hq).get(INDEX, follow=True)
    assert "sign in again below with yours" in response.content.decode()
    assert response.redirect_chain[-1][0].startswith(LOGIN)

    out = io.StringIO()
    call_command("add_totp_device", "hq", stdout=out)
    printed = out.getvalue()
    device = TOTPDevice.objects.get(user=hq)
    assert f"otpauth://totp/Parcel%20back-office%3Ahq?secret={b32encode(device.bin_key).decode()}" in printed
    client = Client()
    assert sign_in(client, "hq", otp_token=code(device)).status_code == 302
    assert client.get(INDEX).status_code == 200


def test_add_totp_device_keeps_a_device_unless_told_to_replace_it(hq):
    call_command("add_totp_device", "hq", "--no-qr", stdout=io.StringIO())
    first = TOTPDevice.objects.get(user=hq)
    with pytest.raises(CommandError, match="already has an authenticator app"):
        call_command("add_totp_device", "hq", stdout=io.StringIO())
    call_command("add_totp_device", "hq", "--replace", stdout=io.StringIO())
    assert list(TOTPDevice.objects.filter(user=hq)) != [first]
    assert TOTPDevice.objects.filter(user=hq).count() == 1
    with pytest.raises(CommandError, match="There is no user nobody"):
        call_command("add_totp_device", "nobody")


def test_hq_sees_who_uses_two_factor_but_never_a_key(hq, clerk_a, hq_member):
    device = totp_device_add(actor=None, user=clerk_a)
    page = login(hq).get(reverse("admin:otp_totp_totpdevice_change", args=[device.pk])).content.decode()
    assert "clerk_a" in page
    assert device.key not in page
    assert login(clerk_a).get(reverse("admin:otp_totp_totpdevice_changelist")).status_code == 403
    # A lost phone: HQ removes the device (a superuser's only by a superuser).
    hq_device = totp_device_add(actor=None, user=hq)
    assert (
        login(hq_member)
        .post(reverse("admin:otp_totp_totpdevice_delete", args=[hq_device.pk]), {"post": "yes"})
        .status_code
        == 403
    )
    delete = reverse("admin:otp_totp_totpdevice_delete", args=[device.pk])
    assert login(hq).post(delete, {"post": "yes"}).status_code == 302
    assert not TOTPDevice.objects.filter(user=clerk_a).exists()


def test_production_requires_two_factor_for_hq():
    production = PRODUCTION_ENV
    assert _setting("TWO_FACTOR_REQUIRED_FOR_HQ", **production) == "True"
