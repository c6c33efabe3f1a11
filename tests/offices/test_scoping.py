import pytest
from django.contrib.auth.models import Group

from offices.models import Membership
from offices.selectors import managed_office_ids_of, offices_of, user_is_hq, user_manages, user_works_at
from shipments.exceptions import PackageNotFound
from shipments.selectors import package_get_visible, packages_visible_to
from shipments.services import package_record_event
from tests.factories import OfficeFactory, UserFactory, clerk_at, register_package


@pytest.fixture
def network(db):
    a, b, c = OfficeFactory(code="AAA01"), OfficeFactory(code="BBB01"), OfficeFactory(code="CCC01")
    return {
        "a": a,
        "b": b,
        "c": c,
        "a_to_b": register_package(origin=a, destination=b),
        "b_to_c": register_package(origin=b, destination=c),
        "c_to_c": register_package(origin=c, destination=c),
    }


def test_clerk_sees_packages_by_origin_destination_and_current_office(network):
    clerk_b = clerk_at(network["b"])
    visible = set(packages_visible_to(clerk_b).values_list("tracking_number", flat=True))
    assert visible == {network["a_to_b"].tracking_number, network["b_to_c"].tracking_number}


def test_a_package_scanned_in_at_an_office_becomes_visible_there(network):
    clerk_a = clerk_at(network["a"])
    package = network["c_to_c"]
    assert not packages_visible_to(clerk_a).filter(pk=package.pk).exists()
    package_record_event(package=package, status="accepted", office=network["c"])
    package_record_event(package=package, status="in_transit")
    package_record_event(package=package, status="arrived", office=network["a"])  # misrouted to A
    assert packages_visible_to(clerk_a).filter(pk=package.pk).exists()


def test_other_offices_packages_look_unknown(network):
    clerk_a = clerk_at(network["a"])
    with pytest.raises(PackageNotFound, match="among the packages you can see"):
        package_get_visible(clerk_a, network["c_to_c"].tracking_number)
    assert package_get_visible(clerk_a, network["a_to_b"].tracking_number.lower()) == network["a_to_b"]


def test_hq_sees_everything_by_superuser_or_group(network):
    superuser = UserFactory(username="boss", is_superuser=True)
    hq_member = UserFactory(username="hq_member")
    hq_member.groups.add(Group.objects.create(name="HQ"))
    for user in (superuser, hq_member):
        assert user_is_hq(user)
        assert packages_visible_to(user).count() == 3
        assert offices_of(user).count() == 3


def test_user_without_membership_sees_nothing(network):
    assert packages_visible_to(UserFactory(username="nobody")).count() == 0


def test_inactive_users_and_closed_offices_grant_nothing(network):
    clerk = clerk_at(network["a"], username="leaver")
    clerk.is_active = False
    assert packages_visible_to(clerk).count() == 0
    other = clerk_at(network["b"], username="closed_office_clerk")
    network["b"].is_active = False
    network["b"].save()
    assert packages_visible_to(other).count() == 0


def test_managers_manage_only_their_office(network):
    manager = clerk_at(network["a"], role=Membership.Role.MANAGER, username="manager_a")
    clerk_at_b = Membership.objects.create(user=manager, office=network["b"], role=Membership.Role.CLERK)
    assert managed_office_ids_of(manager) == [network["a"].pk]
    assert user_manages(manager, network["a"]) and not user_manages(manager, network["b"])
    assert user_works_at(manager, clerk_at_b.office) and not user_works_at(manager, network["c"])
