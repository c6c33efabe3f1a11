"""The scoping matrix: a clerk (or manager) of office A gets nothing of office B
through any admin page. Foreign packages are 404, never 403 or a redirect."""

import json
import re

import pytest
from django.urls import reverse

from shipments.models import TrackingEvent
from tests.helpers import login

CHANGELIST = reverse("admin:shipments_package_changelist")


def assert_not_found(response, *packages):
    """A plain "Not Found" page that shows nothing of the packages."""
    assert response.status_code == 404
    page = response.content.decode()
    assert "Not Found" in page
    for package in packages:
        assert package.tracking_number not in page
        assert package.sender_name not in page


@pytest.fixture
def clerk(net):
    return login(net.clerk_a)


def test_changelist_lists_only_packages_touching_my_office(net, clerk):
    page = clerk.get(CHANGELIST).content.decode()
    assert net.a_to_c.tracking_number in page
    assert net.b_to_c.tracking_number not in page
    assert net.c_to_b.tracking_number not in page
    assert "1 package" in page  # the count is scoped too


def test_search_for_a_foreign_tracking_number_finds_nothing(net, clerk):
    page = clerk.get(CHANGELIST, {"q": net.b_to_c.tracking_number}).content.decode()
    assert "0 packages" in page
    assert f">{net.b_to_c.tracking_number}<" not in page


def test_search_by_a_foreign_sender_name_or_phone_finds_nothing(net, clerk):
    assert "0 packages" in clerk.get(CHANGELIST, {"q": "Bruno"}).content.decode()
    assert "1 package" in clerk.get(CHANGELIST, {"q": "alice"}).content.decode()


@pytest.mark.parametrize(
    "params",
    [
        {"origin_office": "BBB01"},
        {"destination_office": "CCC01"},
        {"current_office": "BBB01"},
        {"incoming": "BBB01"},
        {"office": "BBB01"},
        {"status": "created", "origin_office": "BBB01"},
    ],
)
def test_filters_never_reveal_foreign_packages(net, clerk, params):
    page = clerk.get(CHANGELIST, params).content.decode()
    assert net.b_to_c.tracking_number not in page
    assert net.c_to_b.tracking_number not in page


def test_filter_choices_come_from_offices_not_from_packages_and_show_no_counts(net):
    from tests.factories import clerk_at

    two_offices = login(clerk_at(net.a, net.c, username="clerk_ac"))
    page = two_offices.get(CHANGELIST, {"_facets": "True"}).content.decode()
    # The "my office" filter offers only the clerk's own offices...
    assert "office=AAA01" in page
    assert "office=CCC01" in page
    assert "office=BBB01" not in page
    # ...and facet counts (a COUNT per choice over the table) are never shown.
    assert "Show counts" not in page
    assert not re.search(r"\(\d+\)</a>", page)


@pytest.mark.parametrize("view", ["change", "history", "label", "record_event"])
@pytest.mark.parametrize("by", ["pk", "tracking_number"])
def test_a_foreign_package_page_is_not_found(net, clerk, view, by):
    key = getattr(net.b_to_c, by)
    url = reverse(f"admin:shipments_package_{view}", args=[key])
    response = clerk.post(url, {"status": "accepted"}) if view == "record_event" else clerk.get(url)
    assert_not_found(response, net.b_to_c)
    assert not TrackingEvent.objects.filter(package=net.b_to_c, status="accepted").exists()


def test_my_own_package_page_opens(net, clerk):
    for view in ("change", "label"):
        response = clerk.get(reverse(f"admin:shipments_package_{view}", args=[net.a_to_c.pk]))
        assert response.status_code == 200
        assert net.a_to_c.tracking_number in response.content.decode()
    assert "Alice Avery" in clerk.get(reverse("admin:shipments_package_change", args=[net.a_to_c.pk])).content.decode()


def test_office_autocomplete_offers_only_my_offices_to_act_at(net, clerk):
    url = reverse("admin:autocomplete")
    base = {"app_label": "shipments", "model_name": "package", "term": ""}
    origin = json.loads(clerk.get(url, {**base, "field_name": "origin_office"}).content)
    assert [row["text"] for row in origin["results"]] == [str(net.a)]
    # Parcels may be sent to any open office of the network.
    destination = json.loads(clerk.get(url, {**base, "field_name": "destination_office"}).content)
    assert {row["text"] for row in destination["results"]} == {str(net.a), str(net.b), str(net.c)}


def test_scan_page_of_another_office_is_not_found(net, clerk):
    url = reverse("admin:shipments_package_scan", args=["BBB01"])
    assert_not_found(clerk.get(url))
    assert_not_found(
        clerk.post(url, {"status": "accepted", "tracking_numbers": net.b_to_c.tracking_number}), net.b_to_c
    )
    assert not TrackingEvent.objects.filter(package=net.b_to_c, status="accepted").exists()


def test_scanning_a_foreign_package_at_my_office_is_refused_as_unknown(net, clerk):
    url = reverse("admin:shipments_package_scan", args=["AAA01"])
    response = clerk.post(url, {"status": "accepted", "tracking_numbers": net.b_to_c.tracking_number})
    results = response.context["results"]
    assert [(result.done, result.message) for result in results] == [
        (False, "Unknown, or not one of the packages you can see.")
    ]
    assert not TrackingEvent.objects.filter(package=net.b_to_c, status="accepted").exists()


def test_a_changelist_action_cannot_reach_a_foreign_package(net, clerk):
    response = clerk.post(
        CHANGELIST,
        {"action": "mark_accepted", "_selected_action": [net.b_to_c.pk, net.a_to_c.pk]},
        follow=True,
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert f"1 marked accepted (sent): {net.a_to_c.tracking_number} at AAA01." in page
    assert net.b_to_c.tracking_number not in page
    assert TrackingEvent.objects.filter(package=net.a_to_c, status="accepted").exists()
    assert not TrackingEvent.objects.filter(package=net.b_to_c, status="accepted").exists()


def test_reports_of_other_offices_are_not_found(net):
    manager = login(net.manager_a)
    own = manager.get(reverse("admin:shipments_package_report", args=["AAA01"]))
    assert own.status_code == 200
    assert f"{net.a_to_c.cost_total} USD" in own.content.decode()
    for url in (
        reverse("admin:shipments_package_report", args=["BBB01"]),
        reverse("admin:shipments_package_report", args=["BBB01"]) + "?format=csv",
    ):
        response = manager.get(url)
        assert_not_found(response)
        assert str(net.b_to_c.cost_total) not in response.content.decode()


def test_a_clerk_sees_no_report_even_of_their_own_office(net, clerk):
    response = clerk.get(reverse("admin:shipments_package_report", args=["AAA01"]))
    assert_not_found(response)
    assert str(net.a_to_c.cost_total) not in response.content.decode()
    response = clerk.get(reverse("admin:shipments_package_report_pick"))
    assert response.status_code == 403
    assert "Not open to you" in response.content.decode()


def test_a_manager_sees_only_memberships_of_their_office(net):
    page = login(net.manager_a).get(reverse("admin:offices_membership_changelist")).content.decode()
    assert "clerk_a" in page
    assert "clerk_b" not in page


def test_hq_sees_every_package(net):
    page = login(net.hq).get(CHANGELIST).content.decode()
    for package in (net.a_to_c, net.b_to_c, net.c_to_b):
        assert package.tracking_number in page
