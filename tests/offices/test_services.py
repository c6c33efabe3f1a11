"""The office and tariff services check their actor's right themselves: a new
caller (an import, a job, another page) cannot forget to."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from offices.models import Membership, Office
from offices.services import clerk_upsert, membership_remove, office_upsert
from shipments.models import Tariff
from shipments.services import tariff_upsert
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
