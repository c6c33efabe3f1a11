"""Every registered ModelAdmin loads its changelist, add and change pages for HQ,
and for a clerk wherever a clerk is meant to be."""

from decimal import Decimal

import pytest
from django.contrib import admin
from django.urls import reverse

from offices.models import Membership
from tests.helpers import login

# What a clerk may open: (changelist, add, change). Everything else is 403.
CLERK_ACCESS = {
    "shipments.package": (200, 200, 200),
    "shipments.tariff": (200, 403, 200),  # looks prices up, HQ sets them
    "offices.office": (200, 403, 200),  # the network is public, HQ runs it
    "offices.membership": (403, 403, 404),  # managers and HQ only; others' rows are not found
    "dispatches.bag": (200, 200, 200),  # a bag from A: its clerks build it
    "dispatches.discrepancy": (200, 403, 200),  # found by checking bags, never added by hand
    "counter.till": (200, 403, 200),  # their own; opened and cashed up on the Cash-up page
    "counter.countersettings": (200, 403, 200),  # reference data: HQ sets it
}


# What HQ may open where it is not everything: sign-ins are recorded, never added by hand.
HQ_ACCESS = {
    "axes.accessattempt": (200, 403, 200),
    "axes.accesslog": (200, 403, 200),
    "otp_totp.totpdevice": (200, 403, 200),  # enrolled by manage.py add_totp_device
    "notifications.notification": (200, 403, 200),  # written by tracking events
    "dispatches.discrepancy": (200, 403, 200),
    "webhooks.message": (200, 403, 200),  # written by tracking events
    "counter.till": (200, 403, 200),
}


def _sample(model, net):
    if model._meta.app_label == "axes":
        fields = {"username": "clerk_a", "ip_address": "203.0.113.7", "user_agent": "test", "http_accept": "*/*"}
        if model._meta.model_name == "accessattempt":
            fields |= {"get_data": "", "post_data": "", "failures_since_start": 2}
        return model._default_manager.create(**fields)
    if model._meta.label_lower == "offices.membership":
        return Membership.objects.get(user=net.clerk_a)
    if model._meta.label_lower == "shipments.package":
        return net.a_to_c
    if model._meta.label_lower == "notifications.notification":
        return model._default_manager.filter(package=net.a_to_c).first()
    if model._meta.label_lower == "offices.office":
        return net.a
    if model._meta.label_lower == "auth.user":
        return net.clerk_a
    if model._meta.app_label == "dispatches":
        return _checked_bag(net) if model._meta.model_name == "discrepancy" else _checked_bag(net).bag
    if model._meta.app_label == "webhooks":
        from webhooks.services import subscription_create, subscription_send_test

        # A literal public address (nothing to resolve), switched off: the test event is not sent anywhere.
        subscription = subscription_create(url="https://93.184.216.34/in", active=False)
        return (
            subscription
            if model._meta.model_name == "subscription"
            else subscription_send_test(subscription=subscription)
        )
    if model._meta.label_lower == "counter.countersettings":
        return model._default_manager.create(
            office=net.a, unpaid_allowed=False, variance_limit=Decimal("5.00"), cod_limit=Decimal("500.00")
        )
    if model._meta.label_lower == "counter.till":
        from counter.tills import till_open

        return till_open(actor=net.clerk_a, office=net.a, opening_float="10.00")
    if model._meta.label_lower == "otp_totp.totpdevice":
        return model._default_manager.create(user=net.clerk_a, name="Phone")
    return model._default_manager.first() or model._default_manager.create(name="Sample")


def _checked_bag(net):
    """A bag from A to C, checked at C with its one parcel missing: its discrepancy."""
    from dispatches.movements import check_bag, dispatch_bags, receive_bag
    from dispatches.services import bag_add_parcel, bag_close, bag_open
    from tests.factories import register_package

    bag = bag_open(actor=None, origin_office=net.a, destination_office=net.c, category="C")
    bag_add_parcel(actor=None, bag=bag, package=register_package(origin=net.a, destination=net.c, accept=True))
    bag = bag_close(actor=None, bag=bag, weight_kg="1.0", seal="S")
    dispatch_bags(actor=None, bags=[bag])
    receive_bag(actor=None, bag=bag)
    check_bag(actor=None, bag=bag, found=[])
    return bag.discrepancies.get()


def _urls(model, obj):
    prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
    return (
        reverse(f"{prefix}_changelist"),
        reverse(f"{prefix}_add"),
        reverse(f"{prefix}_change", args=[obj.pk]),
    )


@pytest.mark.parametrize("model", list(admin.site._registry), ids=lambda model: model._meta.label_lower)
def test_every_admin_page_loads_for_hq(net, model):
    client = login(net.hq)
    expected = HQ_ACCESS.get(model._meta.label_lower, (200, 200, 200))
    got = tuple(client.get(url).status_code for url in _urls(model, _sample(model, net)))
    assert got == expected


@pytest.mark.parametrize("model", list(admin.site._registry), ids=lambda model: model._meta.label_lower)
def test_every_admin_page_answers_a_clerk_as_intended(net, model):
    client = login(net.clerk_a)
    expected = CLERK_ACCESS.get(model._meta.label_lower, (403, 403, 403))
    got = tuple(client.get(url).status_code for url in _urls(model, _sample(model, net)))
    assert got == expected


def test_a_manager_opens_the_memberships_of_their_office(net):
    client = login(net.manager_a)
    for url in _urls(Membership, Membership.objects.get(user=net.clerk_a)):
        assert client.get(url).status_code == 200, url


def test_the_admin_home_shows_a_clerk_the_counter_links(net):
    response = login(net.clerk_a).get(reverse("admin:index"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Register a package" in page
    assert "Scan parcels at AAA01" in page
    assert "Scan parcels at BBB01" not in page
    assert "Cost report" not in page  # a clerk is no manager
    # Demo clerks have no Django model permissions, yet see their apps.
    assert "/admin/shipments/package/" in page


def test_the_admin_home_shows_a_manager_their_report(net):
    page = login(net.manager_a).get(reverse("admin:index")).content.decode()
    assert "Cost report AAA01" in page
    assert reverse("admin:shipments_package_report", args=["AAA01"]) in page


def test_a_staff_user_without_an_office_sees_no_apps(net):
    from tests.factories import UserFactory

    nobody = UserFactory(username="nobody")
    client = login(nobody)
    page = client.get(reverse("admin:index")).content.decode()
    assert "Register a package" not in page
    response = client.get(reverse("admin:shipments_package_changelist"))
    assert response.status_code == 403
    assert "Not open to you" in response.content.decode()
    assert net.a_to_c.tracking_number not in response.content.decode()


def test_a_member_of_the_hq_group_works_like_hq(net, hq_member):
    client = login(hq_member)
    page = client.get(reverse("admin:shipments_package_changelist")).content.decode()
    for package in (net.a_to_c, net.b_to_c, net.c_to_b):
        assert package.tracking_number in page
    form = client.get(reverse("admin:shipments_package_add")).context["form"]
    assert set(form.fields["origin_office"].queryset) == {net.a, net.b, net.c}
    assert client.get(reverse("admin:shipments_package_report", args=["BBB01"])).status_code == 200
    assert client.get(reverse("admin:offices_office_change", args=[net.b.pk])).context["has_change_permission"]
