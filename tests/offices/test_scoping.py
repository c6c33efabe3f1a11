import pytest
from django.contrib.auth import get_user_model

from offices.models import Membership
from offices.selectors import managed_office_ids_of, offices_of, user_is_hq, user_manages, user_works_at
from shipments.exceptions import PackageNotFound
from shipments.selectors import package_get_visible, packages_visible_to
from shipments.services import package_record_event


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
        assert user_is_hq(user)
        assert packages_visible_to(user).count() == 3
        assert offices_of(user).count() == 3


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
    assert managed_office_ids_of(manager) == [net.a.pk]
    assert user_manages(manager, net.a) and not user_manages(manager, net.b)
    assert user_works_at(manager, clerk_at_b.office) and not user_works_at(manager, net.c)
