"""The way back in the admin: the direction column and filter, the return
action with its reason, the package page's return step, the office's holding period."""

from django.urls import reverse

from shipments.services import package_record_event
from tests.factories import clerk_at
from tests.helpers import login

CHANGELIST = "admin:shipments_package_changelist"


def _at_c(net):
    """A→C arrived at C, and C's clerk."""
    package = net.a_to_c
    package_record_event(package=package, status="accepted", office=net.a)
    package_record_event(package=package, status="in_transit")
    package_record_event(package=package, status="arrived", office=net.c)
    return package, clerk_at(net.c, username="clerk_c")


def test_the_return_action_needs_a_reason_and_then_starts_the_return(net):
    package, clerk_c = _at_c(net)
    client = login(clerk_c)
    selected = {"action": "return_to_sender", "_selected_action": [package.pk]}
    page = client.post(reverse(CHANGELIST), {**selected, "reason": ""}, follow=True).content.decode()
    assert "Pick the reason for the return" in page
    package.refresh_from_db()
    assert package.returning is False

    page = client.post(reverse(CHANGELIST), {**selected, "reason": "address_issue"}, follow=True).content.decode()
    assert f"1 marked returning to sender: {package.tracking_number} at CCC01." in page
    package.refresh_from_db()
    assert (package.status, package.returning) == ("return_started", True)
    assert package.events.last().reason == "address_issue"


def test_the_list_shows_the_direction_and_filters_by_it(net):
    package, _ = _at_c(net)
    package_record_event(package=package, status="return_started", reason="damaged")
    client = login(net.hq)
    page = client.get(reverse(CHANGELIST)).content.decode()
    assert "↩ returning to sender" in page
    assert "→ to receiver" in page
    assert 'href="?direction=returning"' in page
    returning = client.get(reverse(CHANGELIST), {"direction": "returning"}).context["cl"].result_list
    assert [row.tracking_number for row in returning] == [package.tracking_number]
    outbound = client.get(reverse(CHANGELIST), {"direction": "outbound"}).context["cl"].result_list
    assert package.tracking_number not in {row.tracking_number for row in outbound}
    assert {row.tracking_number for row in outbound} == {net.b_to_c.tracking_number, net.c_to_b.tracking_number}


def test_the_package_page_offers_the_return_with_its_reasons_and_confirms_it(net):
    package, clerk_c = _at_c(net)
    client = login(clerk_c)
    change = reverse("admin:shipments_package_change", args=[package.pk])
    page = client.get(change).content.decode()
    assert 'name="_record_return_started"' in page
    assert 'aria-label="Reason for Returning to sender" required' in page
    record = reverse("admin:shipments_package_record_event", args=[package.pk])
    fields = {"status": "return_started", "office": net.c.pk, "reason": "refused"}
    page = client.post(record, fields).content.decode()
    assert "The parcel goes back to its origin office and its sender" in page
    package.refresh_from_db()
    assert package.status == "arrived"
    client.post(record, {**fields, "confirmed": "yes"})
    package.refresh_from_db()
    assert package.status == "return_started"
    page = client.get(change).content.decode()
    assert "↩ returning to sender" in page
    # On the way back: no delivery to the receiver is offered.
    assert "_record_out_for_delivery" not in page
    assert "_record_delivered" not in page
