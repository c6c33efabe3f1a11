"""The first HQ user of a fresh deployment, made without a terminal prompt."""

import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client

from offices import access
from tests.helpers import login

pytestmark = pytest.mark.django_db

User = get_user_model()
STRONG = "amber-harbour-71-lantern"


def _add(*args) -> str:
    out = io.StringIO()
    call_command("add_hq_user", *args, stdout=out)
    return out.getvalue()


def test_a_new_hq_member_chooses_a_password_once_from_the_printed_link_then_signs_in():
    printed = _add(
        "ana", "--email", "ana@example.com", "--url", "https://abc.execute-api.us-east-1.amazonaws.com/production"
    )
    assert "ana: created, member of HQ." in printed
    ana = User.objects.get(username="ana")
    assert access.is_hq(ana)
    assert ana.is_staff
    assert not ana.has_usable_password()
    link = re.search(r"https://\S+", printed).group(0)
    assert link.startswith("https://abc.execute-api.us-east-1.amazonaws.com/production/admin/password/set/")

    browser = Client()
    path = link.removeprefix("https://abc.execute-api.us-east-1.amazonaws.com/production")
    form = browser.get(path, follow=True)
    assert form.status_code == 200
    page = form.content.decode()
    assert "Choose your password" in page
    assert "Parcel network back-office" in page  # the admin's header, not Django's
    assert "You don’t have permission" not in page  # no admin sidebar for someone not signed in
    done = browser.post(form.redirect_chain[-1][0], {"new_password1": STRONG, "new_password2": STRONG}, follow=True)
    assert "Your password has been set" in done.content.decode()
    assert "Your password is set" in done.content.decode()

    signed_in = Client().post("/admin/login/?next=/admin/", {"username": "ana", "password": STRONG}, follow=True)
    assert signed_in.redirect_chain[-1][0] == "/admin/"
    assert "Counter" in signed_in.content.decode()
    # The link was for one use: it no longer offers the form.
    again = Client().get(path, follow=True)
    assert "The password reset link was invalid" in again.content.decode()


def test_a_weak_password_on_the_link_page_is_refused_with_the_reason():
    link = re.search(r"https://\S+", _add("ana", "--url", "https://backoffice.example.com")).group(0)
    browser = Client()
    form = browser.get(link.removeprefix("https://backoffice.example.com"), follow=True)
    refused = browser.post(form.redirect_chain[-1][0], {"new_password1": "password", "new_password2": "password"})
    assert refused.status_code == 200
    assert "This password is too common." in refused.content.decode()
    assert not User.objects.get(username="ana").has_usable_password()


def test_adding_an_existing_clerk_to_hq_is_idempotent_and_prints_no_link_for_a_user_with_a_password(clerk_a):
    clerk_a.set_password(STRONG)
    clerk_a.save()
    printed = _add(clerk_a.username, "--url", "https://backoffice.example.com")
    assert f"{clerk_a.username}: updated, member of HQ." in printed
    assert "https://" not in printed
    assert access.is_hq(User.objects.get(pk=clerk_a.pk))
    assert f"{clerk_a.username}: unchanged, member of HQ." in _add(clerk_a.username, "--url", "https://x.example.com")


def test_bad_input_is_refused_with_a_message_and_nothing_saved():
    with pytest.raises(CommandError, match="not an email address"):
        _add("ana", "--email", "not-an-email")
    with pytest.raises(CommandError, match="not a web address"):
        _add("ana", "--url", "javascript:alert(1)")
    with pytest.raises(CommandError, match="username"):
        _add("ana smith!", "--url", "https://backoffice.example.com")
    assert not User.objects.filter(username__startswith="ana").exists()


def test_only_hq_makes_someone_a_member_of_hq(clerk_a, hq):
    from django.core.exceptions import PermissionDenied

    from offices.services import hq_member_upsert

    with pytest.raises(PermissionDenied):
        hq_member_upsert(actor=clerk_a, username="mallory")
    user, created, _ = hq_member_upsert(actor=hq, username="bea")
    assert created
    assert access.is_hq(user)
    assert login(user).get("/admin/").status_code == 200
