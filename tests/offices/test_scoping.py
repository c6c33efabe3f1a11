import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser

from offices import access
from offices.models import Membership, Office
from shipments.exceptions import PackageNotFound
from shipments.models import Package
from shipments.selectors import package_get_visible, packages_visible_to
from shipments.services import package_record_event
from tests.factories import UserFactory, clerk_at


def test_clerk_sees_packages_by_origin_destination_and_current_office(net):
    visible = set(packages_visible_to(net.clerk_b).values_list("tracking_number", flat=True))
    # B→C from B (its origin and current office), C→B to B (its destination; it is still at C).
    assert visible == {net.b_to_c.tracking_number, net.c_to_b.tracking_number}


def test_a_package_scanned_in_at_an_office_becomes_visible_there(net):
    package = net.c_to_b
    assert not packages_visible_to(net.clerk_a).filter(pk=package.pk).exists()
    package_record_event(package=package, status="accepted", office=net.c)
    package_record_event(package=package, status="in_transit")
    package_record_event(package=package, status="arrived", office=net.a)  # misrouted to A
    assert packages_visible_to(net.clerk_a).filter(pk=package.pk).exists()


def test_other_offices_packages_look_unknown(net):
    with pytest.raises(PackageNotFound, match="among the packages you can see"):
        package_get_visible(net.clerk_a, net.c_to_b.tracking_number)
    assert package_get_visible(net.clerk_a, net.a_to_c.tracking_number.lower()) == net.a_to_c


def test_hq_sees_everything_by_superuser_or_group(net, hq_member):
    for user in (net.hq, hq_member):
        assert access.is_hq(user)
        assert packages_visible_to(user).count() == 3
        assert access.offices_to_act_at(user).count() == 3


def test_user_without_membership_sees_nothing(net, outsider):
    assert packages_visible_to(outsider).count() == 0


def test_inactive_users_and_closed_offices_grant_nothing(net):
    clerk = net.clerk_a
    clerk.is_active = False
    assert packages_visible_to(clerk).count() == 0
    net.b.is_active = False
    net.b.save()
    # A fresh user object, as in the next request: the answers are cached on the user.
    assert packages_visible_to(get_user_model().objects.get(pk=net.clerk_b.pk)).count() == 0


def test_managers_manage_only_their_office(net):
    manager = net.manager_a
    clerk_at_b = Membership.objects.create(user=manager, office=net.b, role=Membership.Role.CLERK)
    assert access.office_ids_managed(manager) == [net.a.pk]
    assert access.may_manage(manager, net.a)
    assert not access.may_manage(manager, net.b)
    assert access.may_act_at(manager, clerk_at_b.office)
    assert not access.may_act_at(manager, net.c)


def test_the_admin_asks_for_the_staff_flag_and_the_api_does_not(net):
    """The two doors side by side: same membership, different staff flag."""
    token_clerk = clerk_at(net.a, username="token_clerk")
    token_clerk.is_staff = False
    staff_nobody = UserFactory(username="staff_nobody", is_staff=True)
    hq_without_flag = UserFactory(username="hq_no_flag", is_superuser=True, is_staff=False)
    answers = {
        user.username: (access.may_use_admin(user), access.may_use_api(user))
        for user in (net.clerk_a, token_clerk, staff_nobody, hq_without_flag)
    }
    assert answers == {
        net.clerk_a.username: (True, True),
        "token_clerk": (False, True),
        "staff_nobody": (False, False),
        "hq_no_flag": (False, True),
    }


def test_restrict_scopes_offices_memberships_and_packages_by_action(net):
    manager = clerk_at(net.a, role=Membership.Role.MANAGER, username="manager_of_a")
    Membership.objects.create(user=manager, office=net.b, role=Membership.Role.CLERK)

    def codes(queryset):
        return sorted(queryset.values_list("code", flat=True))

    offices = Office.objects.all()
    assert codes(access.restrict(offices, manager, "view")) == ["AAA01", "BBB01", "CCC01"]
    assert codes(access.restrict(offices, manager, "act")) == ["AAA01", "BBB01"]
    assert codes(access.restrict(offices, manager, "manage")) == ["AAA01"]
    memberships = access.restrict(Membership.objects.filter(office=net.a), manager, "manage")
    assert sorted(memberships.values_list("user__username", flat=True)) == sorted(
        [net.clerk_a.username, net.manager_a.username, "manager_of_a"]
    )
    assert not access.restrict(Membership.objects.filter(office=net.b), manager, "manage").exists()
    packages = access.restrict(Package.objects.all(), manager)
    assert sorted(packages.values_list("tracking_number", flat=True)) == sorted(
        [net.a_to_c.tracking_number, net.b_to_c.tracking_number, net.c_to_b.tracking_number]
    )
    assert not access.restrict(offices, AnonymousUser()).exists()
