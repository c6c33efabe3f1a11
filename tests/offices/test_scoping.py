import pytest
from django.contrib.auth.models import AnonymousUser, Group

from offices import access
from offices.models import Membership, Office
from shipments.exceptions import PackageNotFound
from shipments.models import Package
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
        assert access.is_hq(user)
        assert packages_visible_to(user).count() == 3
        assert access.offices_to_act_at(user).count() == 3


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
    assert access.office_ids_managed(manager) == [network["a"].pk]
    assert access.may_manage(manager, network["a"]) and not access.may_manage(manager, network["b"])
    assert access.may_act_at(manager, clerk_at_b.office) and not access.may_act_at(manager, network["c"])


def test_the_admin_asks_for_the_staff_flag_and_the_api_does_not(network):
    """The two doors side by side: same membership, different staff flag."""
    staff_clerk = clerk_at(network["a"], username="staff_clerk")
    token_clerk = clerk_at(network["a"], username="token_clerk")
    token_clerk.is_staff = False
    nobody_staff = UserFactory(username="staff_nobody", is_staff=True)
    hq_without_flag = UserFactory(username="hq_no_flag", is_superuser=True, is_staff=False)
    answers = {
        user.username: (access.may_use_admin(user), access.may_use_api(user))
        for user in (staff_clerk, token_clerk, nobody_staff, hq_without_flag)
    }
    assert answers == {
        "staff_clerk": (True, True),
        "token_clerk": (False, True),
        "staff_nobody": (False, False),
        "hq_no_flag": (False, True),
    }


def test_restrict_scopes_offices_memberships_and_packages_by_action(network):
    manager = clerk_at(network["a"], role=Membership.Role.MANAGER, username="manager_a")
    Membership.objects.create(user=manager, office=network["b"], role=Membership.Role.CLERK)
    codes = lambda queryset: sorted(queryset.values_list("code", flat=True))  # noqa: E731
    offices = Office.objects.all()
    assert codes(access.restrict(offices, manager, "view")) == ["AAA01", "BBB01", "CCC01"]
    assert codes(access.restrict(offices, manager, "act")) == ["AAA01", "BBB01"]
    assert codes(access.restrict(offices, manager, "manage")) == ["AAA01"]
    memberships = access.restrict(Membership.objects.all(), manager, "manage")
    assert sorted(memberships.values_list("office__code", "user__username")) == [("AAA01", "manager_a")]
    packages = access.restrict(Package.objects.all(), manager)
    assert sorted(packages.values_list("tracking_number", flat=True)) == sorted(
        [network["a_to_b"].tracking_number, network["b_to_c"].tracking_number]
    )
    assert not access.restrict(offices, AnonymousUser()).exists()
