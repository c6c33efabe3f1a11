"""Managers manage the clerks of their office; offices and tariffs are HQ's."""

from django.contrib.auth import get_user_model
from django.urls import reverse

from offices.models import Membership
from tests.factories import UserFactory
from tests.helpers import login

ADD = reverse("admin:offices_membership_add")


def test_a_manager_adds_a_new_clerk_to_their_office(net):
    response = login(net.manager_a).post(
        ADD,
        {
            "username": "newbie",
            "email": "newbie@example.com",
            "password": "s3cret-pass!",
            "office": net.a.pk,
            "role": "clerk",
        },
    )
    assert response.status_code == 302
    user = get_user_model().objects.get(username="newbie")
    assert user.is_staff
    assert user.check_password("s3cret-pass!")
    assert Membership.objects.get(user=user).office == net.a
    # ...who can now work the counter.
    assert login(user).get(reverse("admin:shipments_package_changelist")).status_code == 200


def test_a_manager_cannot_take_over_an_existing_account(net):
    response = login(net.manager_a).post(
        ADD, {"username": "clerk_b", "password": "mine-now-123", "office": net.a.pk, "role": "clerk"}
    )
    assert response.status_code == 200
    assert "only HQ can change their password" in response.content.decode()
    net.clerk_b.refresh_from_db()
    assert net.clerk_b.check_password("pass-for-tests")


def test_a_manager_cannot_staff_another_office(net):
    response = login(net.manager_a).post(ADD, {"username": "spy", "office": net.b.pk, "role": "clerk"})
    assert "office" in response.context["adminform"].form.errors
    assert not get_user_model().objects.filter(username="spy").exists()


def test_a_manager_changes_a_clerks_role(net):
    membership = Membership.objects.get(user=net.clerk_a)
    url = reverse("admin:offices_membership_change", args=[membership.pk])
    assert login(net.manager_a).post(url, {"role": "manager"}).status_code == 302
    membership.refresh_from_db()
    assert membership.role == "manager"


def test_only_hq_edits_offices_and_tariffs(net):
    office_url = reverse("admin:offices_office_change", args=[net.a.pk])
    # A manager sets their office's holding period, and nothing else of it.
    page = login(net.manager_a).get(office_url).content.decode()
    assert 'name="holding_days"' in page
    assert 'name="name"' not in page
    assert login(net.manager_a).post(office_url, {"name": "Mine", "holding_days": "10"}).status_code == 302
    net.a.refresh_from_db()
    assert (net.a.name, net.a.holding_days) == ("Office A", 10)
    other = reverse("admin:offices_office_change", args=[net.b.pk])
    assert 'name="_save"' not in login(net.manager_a).get(other).content.decode()
    assert login(net.manager_a).post(other, {"holding_days": "3"}).status_code == 403
    assert login(net.clerk_a).post(office_url, {"holding_days": "3"}).status_code == 403
    net.b.refresh_from_db()
    assert net.b.holding_days == 14
    data = {
        "name": "Office A renamed",
        "phone": "",
        "email": "",
        "time_zone": "America/New_York",
        "is_active": "on",
        "line1": "1 New St",
        "city": "Springfield",
        "country": "US",
        "latitude": "40.1",
        "longitude": "-75.1",
    }
    assert login(net.hq).post(office_url, data).status_code == 302
    net.a.refresh_from_db()
    assert (net.a.name, net.a.location.line1, net.a.code) == ("Office A renamed", "1 New St", "AAA01")


def test_hq_opens_a_new_office(net):
    data = {
        "code": "DDD01",
        "name": "Office D",
        "time_zone": "UTC",
        "opening_hours": "Mon–Fri 9:00–17:00",
        "is_active": "on",
        "line1": "4 Dee St",
        "city": "Dover",
        "country": "US",
        "latitude": "39.1",
        "longitude": "-75.5",
    }
    assert login(net.hq).post(reverse("admin:offices_office_add"), data).status_code == 302
    from offices.models import Office

    office = Office.objects.get(code="DDD01")
    assert (office.location.city, office.opening_hours) == ("Dover", "Mon–Fri 9:00–17:00")
    page = login(net.clerk_a).get(reverse("admin:offices_office_change", args=[office.pk])).content.decode()
    assert "Mon–Fri 9:00–17:00" in page  # every clerk reads them


def test_a_manager_removes_a_clerk_from_their_office_but_not_themselves(net):
    client = login(net.manager_a)
    clerk_membership = Membership.objects.get(user=net.clerk_a)
    own = Membership.objects.get(user=net.manager_a)
    url = reverse("admin:offices_membership_delete", args=[clerk_membership.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not Membership.objects.filter(pk=clerk_membership.pk).exists()
    refused = client.post(reverse("admin:offices_membership_delete", args=[own.pk]), {"post": "yes"})
    assert refused.status_code == 403
    assert "Not open to you" in refused.content.decode()
    assert Membership.objects.filter(pk=own.pk).exists()
    other_office = Membership.objects.get(user=net.clerk_b)
    url = reverse("admin:offices_membership_delete", args=[other_office.pk])
    unseen = client.get(url)
    assert unseen.status_code == 404
    assert "clerk_b" not in unseen.content.decode()
    assert client.post(url, {"post": "yes"}).status_code == 404
    assert Membership.objects.filter(pk=other_office.pk).exists()


def test_adding_an_existing_person_to_an_office_leaves_their_account_alone(net):
    net.hq.email = "boss@example.com"
    net.hq.save()
    client = login(net.manager_a)
    response = client.post(
        ADD, {"username": "hq", "email": "manager-owns-this@example.com", "office": net.a.pk, "role": "clerk"}
    )
    assert response.status_code == 200
    assert "only HQ can change their email" in response.content.decode()
    net.hq.refresh_from_db()
    assert net.hq.email == "boss@example.com"
    api_only = UserFactory(username="api_only", is_staff=False, email="api@example.com")
    response = client.post(ADD, {"username": "api_only", "office": net.a.pk, "role": "clerk"}, follow=True)
    assert "api_only uses the API only" in response.content.decode()
    api_only.refresh_from_db()
    assert (api_only.is_staff, api_only.email) == (False, "api@example.com")
    assert Membership.objects.get(user=api_only).office == net.a


def test_a_manager_cannot_give_a_new_clerk_a_weak_password_or_a_bad_user_name(net):
    response = login(net.manager_a).post(
        ADD, {"username": "bad name!", "password": "1", "office": net.a.pk, "role": "clerk"}
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "too short" in " ".join(errors["password"])
    assert "Enter a valid username" in " ".join(errors["username"])
    assert not get_user_model().objects.filter(username="bad name!").exists()


def test_a_manager_cannot_add_an_hq_account_to_their_office(net, hq_member):
    """It was saved ("hq – Clerk at AAA01") and moved HQ's pages into the office's time zone."""
    for hq_account in (net.hq, hq_member):
        data = {"username": hq_account.username, "office": net.a.pk, "role": "clerk"}
        response = login(net.manager_a).post(ADD, data)
        assert response.status_code == 200
        assert f"{hq_account.username} is an HQ account: only HQ gives it a place at an office." in (
            response.content.decode()
        )
        assert not Membership.objects.filter(user=hq_account).exists()
    # HQ itself may.
    response = login(net.hq).post(ADD, {"username": hq_member.username, "office": net.a.pk, "role": "clerk"})
    assert response.status_code == 302
    assert Membership.objects.filter(user=hq_member, office=net.a).exists()
