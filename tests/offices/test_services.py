"""The office and tariff services check their actor's right themselves: a new
caller (an import, a job, another page) cannot forget to."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError

from offices.models import Membership, Office
from offices.services import (
    clerk_upsert,
    membership_remove,
    office_upsert,
    user_deactivate,
    user_delete,
    users_kept_for_history,
)
from shipments.models import Tariff
from shipments.services import package_record_event, tariff_upsert
from tests.factories import UserFactory, clerk_at

ADDRESS = {
    "line1": "1 Dock Rd",
    "city": "Portland",
    "country": "US",
    "latitude": Decimal(45),
    "longitude": Decimal(-122),
}
PRICES = {
    "transit_days": 3,
    "currency": "USD",
    "base_fee": Decimal("4.00"),
    "per_kg": Decimal("1.00"),
    "per_km": Decimal("0.0010"),
    "insurance_rate": Decimal("0.0100"),
    "surcharge_rate": Decimal("0.0500"),
    "tax_rate": Decimal("0.0700"),
}


@pytest.fixture
def hq(db):
    return UserFactory(username="hq_boss", is_superuser=True)


def test_only_hq_or_the_system_changes_offices(hq, office_a):
    manager = clerk_at(office_a, role=Membership.Role.MANAGER, username="manager_only")
    with pytest.raises(PermissionDenied, match="Only HQ"):
        office_upsert(actor=manager, code="PDX01", name="Portland", address=ADDRESS)
    assert not Office.objects.filter(code="PDX01").exists()
    office, created, _ = office_upsert(actor=hq, code="PDX01", name="Portland", address=ADDRESS)
    assert created
    assert office.is_active
    _, created, changed = office_upsert(actor=None, code="PDX01", name="Portland", address=ADDRESS, is_active=False)
    assert (created, changed) == (False, True)
    assert not Office.objects.get(code="PDX01").is_active
    # Left out, the flag is kept as it is (an office import does not reopen a closed office).
    _, _, changed = office_upsert(actor=None, code="PDX01", name="Portland", address=ADDRESS)
    assert not changed
    assert not Office.objects.get(code="PDX01").is_active


def test_only_hq_or_the_system_sets_tariffs(hq, clerk_a):
    with pytest.raises(PermissionDenied, match="Only HQ"):
        tariff_upsert(actor=clerk_a, service="express", **PRICES)
    assert not Tariff.objects.filter(service="express").exists()
    tariff, created, changed = tariff_upsert(actor=hq, service="express", **PRICES)
    assert (created, changed, tariff.base_fee) == (True, True, Decimal("4.00"))
    assert tariff_upsert(actor=None, service="express", **PRICES)[1:] == (False, False)
    tariff, _, changed = tariff_upsert(actor=hq, service="express", **{**PRICES, "base_fee": Decimal("4.50")})
    assert changed
    assert Tariff.objects.get(service="express").base_fee == Decimal("4.50")


def test_a_tariff_is_priced_in_the_networks_currency_only(hq):
    """Tills, day closes and reports add amounts up: one currency (PRICING_CURRENCY)."""
    with pytest.raises(ValidationError) as caught:
        tariff_upsert(actor=hq, service="express", **{**PRICES, "currency": "EUR"})
    assert caught.value.message_dict == {"currency": ["The network prices in USD only (PRICING_CURRENCY)."]}
    assert not Tariff.objects.filter(service="express").exists()


def test_a_manager_adds_and_removes_people_at_their_office_only(office_a, office_b):
    manager = clerk_at(office_a, role=Membership.Role.MANAGER, username="manager_a1")
    with pytest.raises(PermissionDenied, match="BBB01"):
        clerk_upsert(actor=manager, username="newbie", office=office_b)
    user, created, _ = clerk_upsert(actor=manager, username="newbie", office=office_a)
    assert created
    assert user.memberships.get().office == office_a
    other = clerk_at(office_b, username="clerk_at_b")
    with pytest.raises(PermissionDenied):
        membership_remove(actor=manager, membership=other.memberships.get())
    with pytest.raises(PermissionDenied, match="yourself"):
        membership_remove(actor=manager, membership=manager.memberships.get())
    membership_remove(actor=manager, membership=user.memberships.get())
    assert not user.memberships.exists()
    assert other.memberships.count() == 1


def test_adding_someone_to_an_office_never_changes_their_account(office_a, hq):
    manager = clerk_at(office_a, role=Membership.Role.MANAGER, username="manager_a1")
    hq.email = "boss@example.com"
    hq.save()
    with pytest.raises(PermissionDenied, match="only HQ changes its email or password"):
        clerk_upsert(actor=manager, username=hq.username, office=office_a, email="mine@example.com")
    with pytest.raises(PermissionDenied, match="only HQ changes"):
        clerk_upsert(actor=manager, username=hq.username, office=office_a, password="pass-for-tests")
    hq.refresh_from_db()
    assert (hq.email, hq.check_password("pass-for-tests")) == ("boss@example.com", True)
    api_only = UserFactory(username="api_only", is_staff=False, email="api@example.com")
    user, created, changed = clerk_upsert(actor=manager, username="api_only", office=office_a)
    assert (created, changed) == (False, True)  # the membership is new...
    api_only.refresh_from_db()
    assert (api_only.is_staff, api_only.email) == (False, "api@example.com")  # ...the account is as it was
    assert api_only.check_password("pass-for-tests")
    assert user.memberships.get().office == office_a


def test_a_manager_cannot_give_an_hq_account_a_place_at_their_office(office_a, hq, hq_member):
    manager = clerk_at(office_a, role=Membership.Role.MANAGER, username="manager_a1")
    for account in (hq, hq_member):
        with pytest.raises(PermissionDenied, match="is an HQ account: only HQ gives it a place at an office"):
            clerk_upsert(actor=manager, username=account.username, office=office_a)
        assert not account.memberships.exists()
    clerk_upsert(actor=hq, username=hq_member.username, office=office_a)  # HQ decides for HQ
    clerk_upsert(actor=None, username=hq.username, office=office_a)  # and so does the system
    assert {membership.user for membership in Membership.objects.filter(office=office_a)} >= {hq, hq_member}


def test_an_hq_account_stays_hqs_to_place_where_hq_needs_a_second_factor(office_a, hq, hq_member, settings):
    """Where HQ's rights need a second factor, an HQ account that is not signed in (the account
    a manager names) is still an HQ account: the manager may not give it a place either."""
    settings.TWO_FACTOR_REQUIRED_FOR_HQ = True
    manager = clerk_at(office_a, role=Membership.Role.MANAGER, username="manager_a1")
    for account in (hq, hq_member):
        with pytest.raises(PermissionDenied, match="is an HQ account"):
            clerk_upsert(actor=manager, username=account.username, office=office_a)
        assert not account.memberships.exists()


def test_hq_and_the_system_still_update_an_account_they_add(office_a, office_b, hq):
    person = UserFactory(username="person", is_staff=False)
    clerk_upsert(actor=hq, username="person", office=office_a, email="p@example.com")
    clerk_upsert(actor=None, username="person", office=office_b, password="Another-good-pass-42")
    person.refresh_from_db()
    assert (person.is_staff, person.email) == (True, "p@example.com")
    assert person.check_password("Another-good-pass-42")


def test_a_group_hq_member_cannot_change_a_superusers_account(office_a, hq, hq_member):
    with pytest.raises(PermissionDenied):
        clerk_upsert(actor=hq_member, username=hq.username, office=office_a, password="Taken-over-pass-42")
    hq.refresh_from_db()
    assert hq.check_password("pass-for-tests")


@pytest.mark.parametrize(
    ("password", "refused"), [("1", "too short"), ("password", "too common"), ("12345678", "entirely numeric")]
)
def test_passwords_pass_the_validators_on_every_path(office_a, hq, password, refused):
    manager = clerk_at(office_a, role=Membership.Role.MANAGER, username="manager_x1")
    with pytest.raises(ValidationError, match=refused) as refused_new:
        clerk_upsert(actor=manager, username="newbie", office=office_a, password=password)
    assert "password" in refused_new.value.message_dict
    assert not User.objects.filter(username="newbie").exists()
    clerk = clerk_at(office_a, username="clerk_x1")
    with pytest.raises(ValidationError, match=refused):
        clerk_upsert(actor=hq, username="clerk_x1", office=office_a, password=password)
    clerk.refresh_from_db()
    assert clerk.check_password("pass-for-tests")


def test_a_password_like_the_user_name_is_refused(office_a):
    with pytest.raises(ValidationError, match="too similar to the username"):
        clerk_upsert(actor=None, username="newbie", office=office_a, password="newbie123")


def test_a_new_user_name_must_be_one_the_user_model_accepts(office_a):
    with pytest.raises(ValidationError) as refused:
        clerk_upsert(actor=None, username="bad name!", office=office_a)
    assert "username" in refused.value.message_dict
    assert not User.objects.filter(username="bad name!").exists()


def test_someone_who_recorded_history_is_deactivated_not_deleted(package_a, clerk_a, manager_a, hq):
    package_record_event(package=package_a, status="accepted", office=package_a.origin_office, actor=clerk_a)
    assert users_kept_for_history([clerk_a, manager_a]) == {clerk_a.pk: ["tracking events"]}  # once, not per event
    with pytest.raises(PermissionDenied, match="^clerk_a is named in tracking events they recorded.*Deactivate it"):
        user_delete(actor=hq, user=clerk_a)
    with pytest.raises(PermissionDenied, match="Only HQ"):
        user_deactivate(actor=manager_a, user=clerk_a)
    with pytest.raises(PermissionDenied, match="your own account"):
        user_deactivate(actor=hq, user=hq)
    assert user_deactivate(actor=hq, user=clerk_a)
    assert not user_deactivate(actor=None, user=clerk_a)
    assert not User.objects.get(pk=clerk_a.pk).is_active
    nobody = UserFactory(username="nobody")
    user_delete(actor=None, user=nobody)
    assert not User.objects.filter(username="nobody").exists()
