"""The package page: frozen facts, timeline, next-step buttons; the label; bulk actions."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shipments.services import package_record_event
from shipments.statuses import Status, allowed_next
from tests.factories import clerk_at, register_package
from tests.helpers import login


def change_url(package):
    return reverse("admin:shipments_package_change", args=[package.pk])


def record_url(package):
    return reverse("admin:shipments_package_record_event", args=[package.pk])


def buttons(page: str) -> list[str]:
    """The next steps offered: buttons, and links to the delivery page (a handover, with its proof)."""
    return re.findall(r'(?:name="_record_|data-step=")([a-z_]+)"', page)


def test_the_page_shows_facts_cost_parties_and_timeline_read_only(net):
    package = net.a_to_c
    package_record_event(package=package, status="accepted", office=net.a, actor=net.clerk_a)
    response = login(net.clerk_a).get(change_url(package))
    page = response.content.decode()
    assert package.tracking_number in page
    assert f"{package.cost_total} {package.cost_currency}" in page
    assert "Alice Avery" in page
    assert "Rita Receiver" in page
    assert "Timeline" in page
    assert "Accepted (sent)" in page
    # Nothing to save: facts are frozen, the timeline append-only.
    assert 'name="_save"' not in page
    assert 'name="events-0-status"' not in page
    assert reverse("admin:shipments_package_label", args=[package.pk]) in page


@pytest.mark.parametrize("status", ["created", "accepted", "out_for_delivery"])
def test_buttons_offer_only_the_allowed_next_statuses(net, status):
    package = net.a_to_c
    path = {"created": [], "accepted": ["accepted"], "out_for_delivery": ["accepted", "out_for_delivery"]}[status]
    for step in path:
        package_record_event(package=package, status=step, office=net.a)
    page = login(net.hq).get(change_url(package)).content.decode()
    # A→C sits at A: it cannot wait for pickup at C before it gets there.
    assert buttons(page) == [step for step in allowed_next(status) if step != "ready_for_pickup"]


def test_a_clerk_is_not_offered_steps_of_another_office(net):
    """A→C accepted at A: the parcel is at A, so A's clerk moves it and C's clerk
    can only report what happens anywhere (a delay, a loss)."""
    package = net.a_to_c
    package_record_event(package=package, status="accepted", office=net.a)
    page = login(net.clerk_a).get(change_url(package)).content.decode()
    assert buttons(page) == [step for step in allowed_next("accepted") if step != "ready_for_pickup"]
    clerk_c = clerk_at(net.c, username="clerk_c")
    page = login(clerk_c).get(change_url(package)).content.decode()
    assert buttons(page) == ["delayed", "lost"]

    created = net.c_to_b  # registered at C: only C accepts it
    assert buttons(login(net.clerk_b).get(change_url(created)).content.decode()) == ["cancelled"]


def test_a_final_package_has_no_buttons(net):
    package_record_event(package=net.a_to_c, status="cancelled", office=net.a)
    page = login(net.clerk_a).get(change_url(net.a_to_c)).content.decode()
    assert buttons(page) == []


def test_a_button_records_the_event_through_the_service(net):
    client = login(net.clerk_a)
    response = client.post(record_url(net.a_to_c), {"status": "accepted", "office": net.a.pk}, follow=True)
    assert f"{net.a_to_c.tracking_number} is now accepted (sent) at AAA01." in response.content.decode()
    net.a_to_c.refresh_from_db()
    assert net.a_to_c.status == Status.ACCEPTED
    assert net.a_to_c.events.last().recorded_by == net.clerk_a


@pytest.mark.parametrize("status", ["cancelled", "lost"])
def test_a_step_that_ends_the_journey_asks_for_confirmation_first(net, status):
    """One click on "Cancelled" (which refunds at once) or "Lost" records
    nothing: a page asks, and only its "Yes" records the step. ("Returned" is a
    handover: its own page asks for the proof, tests/handover.)"""
    package = net.a_to_c
    if status != "cancelled":
        package_record_event(package=package, status="accepted", office=net.a)
    fields = {"status": status, "office": net.a.pk, "reason": "damaged" if status == "lost" else ""}
    client = login(net.clerk_a)
    page = client.post(record_url(package), fields).content.decode()
    package.refresh_from_db()
    assert package.status != status
    assert package.charges.filter(kind="refund").count() == 0
    assert f"Mark {package.tracking_number} {Status(status).label.lower()}?" in page
    assert 'name="confirmed" value="yes"' in page
    assert f'href="{change_url(package)}"' in page  # "No, go back"
    if status == "cancelled":
        assert f"The sender is refunded {package.cost_total} {package.cost_currency} at once" in page

    response = client.post(record_url(package), {**fields, "confirmed": "yes"}, follow=True)
    assert f"{package.tracking_number} is now {Status(status).label.lower()}" in response.content.decode()
    package.refresh_from_db()
    assert package.status == status
    assert package.charges.filter(kind="refund").count() == (1 if status == "cancelled" else 0)


def test_the_buttons_that_end_the_journey_say_they_ask_first(net):
    page = login(net.clerk_a).get(change_url(net.a_to_c)).content.decode()
    assert 'value="Cancelled…" name="_record_cancelled"' in page
    assert 'value="Accepted (sent)" name="_record_accepted"' in page


def test_delivered_is_not_a_one_click_step(net):
    """A handover is recorded on the delivery page, with its proof (tests/handover)."""
    package = net.a_to_c
    for step in ("accepted", "out_for_delivery"):
        package_record_event(package=package, status=step, office=net.a)
    client = login(net.clerk_a)
    response = client.post(
        record_url(package), {"status": "delivered", "office": net.a.pk, "received_by": "Rita"}, follow=True
    )
    assert "Nothing recorded" in response.content.decode()
    assert "one parcel at a time" in response.content.decode()
    package.refresh_from_db()
    assert package.status == "out_for_delivery"


def test_an_illegal_move_is_a_message_not_an_error_page(net):
    response = login(net.clerk_a).post(
        record_url(net.a_to_c), {"status": "out_for_delivery", "office": net.a.pk}, follow=True
    )
    assert response.status_code == 200
    assert "cannot become out for delivery" in response.content.decode()


def test_delay_reasons_come_from_the_list(net):
    package_record_event(package=net.a_to_c, status="accepted", office=net.a)
    client = login(net.clerk_a)
    page = client.get(change_url(net.a_to_c)).content.decode()
    assert 'value="missed_connection"' in page
    response = client.post(record_url(net.a_to_c), {"status": "delayed", "reason": "snow"}, follow=True)
    assert "Nothing recorded" in response.content.decode()
    client.post(record_url(net.a_to_c), {"status": "delayed", "reason": "customs", "office": net.a.pk})
    assert net.a_to_c.events.last().reason == "customs"


def test_the_label_has_a_code128_barcode_both_addresses_service_and_weight(net):
    package = net.a_to_c
    response = login(net.clerk_a).get(reverse("admin:shipments_package_label", args=[package.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count("<svg") == 1
    assert "<rect" in page
    assert f'id="tracking_number">{package.tracking_number}<' in page
    assert str(package.sender_address) in page
    assert str(package.receiver_address) in page
    assert "STANDARD" in page
    assert f"Weight {package.weight_grams} g" in page


def test_the_barcode_encodes_the_tracking_number():
    from barcode import Code128

    from shipments.labels import barcode_svg

    svg = barcode_svg("EE473124829US")
    assert svg.startswith("<svg")
    assert "<?xml" not in svg
    # As many bars as Code 128 draws for this number.
    modules = Code128("EE473124829US").build()[0]
    bars = len(re.findall(r"1+", modules))
    assert svg.count('fill="black"') == bars
    # Colours as SVG attributes, not style attributes a Content Security Policy refuses.
    assert "style=" not in svg


def test_mark_arrived_at_my_office_action_reports_per_package(net):
    moving = net.c_to_b
    for step, office in (("accepted", net.c), ("in_transit", net.c)):
        package_record_event(package=moving, status=step, office=office)
    client = login(net.clerk_b)
    response = client.post(
        reverse("admin:shipments_package_changelist"),
        {"action": "mark_arrived", "_selected_action": [moving.pk, net.b_to_c.pk]},
        follow=True,
    )
    page = response.content.decode()
    assert f"1 marked arrived (received): {moving.tracking_number} at BBB01." in page
    assert f"1 refused: {net.b_to_c.tracking_number}" in page
    moving.refresh_from_db()
    assert (moving.status, moving.current_office) == ("arrived", net.b)


def test_hq_moves_packages_of_a_closed_office_looking_it_up_once(net):
    packages = [register_package(origin=net.c, destination=net.b) for _ in range(3)]
    net.c.is_active = False
    net.c.save()
    client = login(net.hq)

    def accept(batch):
        with CaptureQueriesContext(connection) as captured:
            response = client.post(
                reverse("admin:shipments_package_changelist"),
                {"action": "mark_accepted", "_selected_action": [package.pk for package in batch]},
                follow=True,
            )
        office_reads = sum('FROM "offices_office"' in query["sql"] for query in captured.captured_queries)
        return response.content.decode(), office_reads

    page_one, reads_for_one = accept(packages[:1])
    page_two, reads_for_two = accept(packages[1:])
    assert f"1 marked accepted (sent): {packages[0].tracking_number} at CCC01." in page_one
    assert f"2 marked accepted (sent): {packages[1].tracking_number} at CCC01" in page_two
    assert reads_for_two == reads_for_one


def test_the_receipt_is_for_whoever_may_open_the_package_page(net):
    url = reverse("admin:shipments_package_receipt", args=[net.a_to_c.pk])
    for user, status in ((net.clerk_a, 200), (net.hq, 200), (net.clerk_b, 404)):
        assert login(user).get(url).status_code == status
    clerk_c = clerk_at(net.c, username="clerk_c")  # the destination's clerk sees the package, and its receipt
    page = login(clerk_c).get(url, {"paper": "80mm"}).content.decode()
    assert f'id="tracking_number">{net.a_to_c.tracking_number}<' in page
    assert f"http://testserver/track/?number={net.a_to_c.tracking_number}" in page
    assert "@page { size: 80mm" in page
    assert (
        reverse("admin:shipments_package_receipt", args=[net.a_to_c.pk])
        in login(net.clerk_a).get(change_url(net.a_to_c)).content.decode()
    )


def test_the_package_page_offers_its_timeline_not_an_empty_change_history(net):
    """The admin's "History" said "no change history" (packages are never
    edited): the page links its timeline instead, and the old address leads there."""
    package = net.a_to_c
    package_record_event(package=package, status="accepted", office=net.a, actor=net.clerk_a)
    client = login(net.clerk_a)
    page = client.get(change_url(package)).content.decode()
    assert reverse("admin:shipments_package_history", args=[package.pk]) not in page
    assert '<a href="#events-group" class="historylink">Timeline</a>' in page
    assert 'id="events-group"' in page
    response = client.get(reverse("admin:shipments_package_history", args=[package.pk]), follow=True)
    assert response.redirect_chain == [(f"{change_url(package)}#events-group", 302)]
    history = response.content.decode()
    assert "no change history" not in history
    assert "Accepted (sent)" in history
