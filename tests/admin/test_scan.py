"""The scan page: one tracking number per line, each processed on its own."""

from django.urls import reverse

from shipments.models import TrackingEvent
from shipments.services import package_record_event
from tests.factories import register_package
from tests.helpers import login


def scan(client, office_code, numbers, **fields):
    url = reverse("admin:shipments_package_scan", args=[office_code])
    return client.post(url, {"tracking_numbers": "\n".join(numbers), **fields})


def test_one_bad_number_never_blocks_the_others(net):
    second = register_package(origin=net.a, destination=net.b)
    delivered_elsewhere = register_package(origin=net.a, destination=net.b)
    package_record_event(package=delivered_elsewhere, status="cancelled", office=net.a)
    good = net.a_to_c.tracking_number
    typo = good[:5] + str((int(good[5]) + 1) % 10) + good[6:]
    lines = [
        good.lower(),  # scanners and people type lower case too
        typo,
        "HELLO",
        net.b_to_c.tracking_number,  # another office's parcel
        f"  {second.tracking_number}  ",
        good,  # scanned twice
        delivered_elsewhere.tracking_number,  # cancelled: its journey is over
        net.b_to_c.tracking_number,  # the unknown one again: said once, not refused twice
    ]
    response = scan(login(net.clerk_a), "AAA01", lines, status="accepted")
    results = response.context["results"]
    assert [result.outcome for result in results] == [
        "done",
        "refused",
        "refused",
        "refused",
        "done",
        "repeated",  # recorded once: neither done again nor a refusal
        "refused",
        "repeated",
    ]
    messages = [result.message for result in results]
    assert messages[0] == "Accepted (sent) at AAA01."
    assert "wrong check digit" in messages[1]
    assert "is not a tracking number" in messages[2]
    assert messages[3] == "Unknown, or not one of the packages you can see."
    assert messages[5] == "Scanned twice in this batch; counted once."
    assert "cannot become accepted" in messages[6]
    page = response.content.decode()
    assert "2 done, 4 refused, 2 scanned twice" in page
    assert '<td class="repeated">already scanned</td>' in page
    assert TrackingEvent.objects.filter(status="accepted", source="scan").count() == 2
    net.a_to_c.refresh_from_db()
    assert net.a_to_c.status == "accepted"
    # The box is empty for the next batch; the action is kept.
    assert response.context["form"]["status"].value() == "accepted"
    assert not response.context["form"]["tracking_numbers"].value()


def test_a_leg_out_and_in_and_the_handover(net):
    package = net.c_to_b
    package_record_event(package=package, status="accepted", office=net.c)
    package_record_event(package=package, status="in_transit", office=net.c)
    clerk_b = login(net.clerk_b)
    for status in ("arrived", "ready_for_pickup"):
        results = scan(clerk_b, "BBB01", [package.tracking_number], status=status).context["results"]
        assert [result.done for result in results] == [True], results[0].message
    # A handover is recorded one parcel at a time, with its proof (the delivery page): never scanned.
    response = scan(clerk_b, "BBB01", [package.tracking_number], status="delivered", received_by="Rita R.")
    assert response.context["results"] is None
    assert "one parcel at a time" in response.content.decode()
    package.refresh_from_db()
    assert (package.status, package.current_office) == ("ready_for_pickup", net.b)


def test_delivered_asks_for_the_receivers_name_before_anything_is_scanned(net):
    response = scan(login(net.clerk_a), "AAA01", [net.a_to_c.tracking_number], status="delivered")
    assert response.context["results"] is None
    assert "Enter the name of the person who received the parcel." in response.content.decode()


def test_delayed_needs_a_reason_from_the_list(net):
    client = login(net.clerk_a)
    package_record_event(package=net.a_to_c, status="accepted", office=net.a)
    response = scan(client, "AAA01", [net.a_to_c.tracking_number], status="delayed")
    assert "reason" in response.context["form"].errors
    response = scan(client, "AAA01", [net.a_to_c.tracking_number], status="delayed", reason="weather")
    assert [result.done for result in response.context["results"]] == [True]
    assert net.a_to_c.events.last().reason == "weather"


def test_too_many_lines_are_refused_with_a_message(net):
    response = scan(login(net.clerk_a), "AAA01", ["X"] * 501, status="arrived")
    assert "too many" in response.content.decode()


def test_a_clerk_with_one_office_goes_straight_to_its_scan_page(net):
    response = login(net.clerk_a).get(reverse("admin:shipments_package_scan_pick"))
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:shipments_package_scan", args=["AAA01"])
