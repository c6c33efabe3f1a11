"""The bag pages of the admin, as a clerk uses them: open, scan in, close,
label, dispatch and its list, receive by scan, open and check; HQ's list of
open discrepancies."""

from decimal import Decimal

import pytest

from dispatches.models import Bag
from tests.factories import OfficeFactory, clerk_at
from tests.helpers import login

pytestmark = pytest.mark.django_db


def test_a_bag_from_opening_to_checking_in_the_admin(nyc, bos, nyc_clerk, bos_clerk, hq, accepted):
    nyc_page, bos_page = login(nyc_clerk), login(bos_clerk)
    parcels = [accepted(declared_value=Decimal("50.00")), accepted(), accepted()]
    home = nyc_page.get("/admin/").content.decode()
    assert "Open a bag" in home
    assert "Receive a bag" in home

    response = nyc_page.post(
        "/admin/dispatches/bag/add/", {"origin_office": nyc.pk, "destination_office": bos.pk, "category": "C"}
    )
    bag = Bag.objects.get()
    assert response.url == f"/admin/dispatches/bag/{bag.pk}/change/"
    refused = nyc_page.post(
        "/admin/dispatches/bag/add/", {"origin_office": nyc.pk, "destination_office": nyc.pk, "category": "C"}
    )
    assert "A bag goes to another office, not its own." in refused.content.decode()

    page = nyc_page.post(
        f"/admin/dispatches/bag/{bag.pk}/change/",
        {"action": "scan", "tracking_numbers": "\n".join(p.tracking_number for p in parcels) + "\nEE000000000US"},
    ).content.decode()
    assert page.count('class="added"') == 3
    assert "Unknown, or not one of the packages you can see." in page or "check digit" in page
    nyc_page.post(
        f"/admin/dispatches/bag/{bag.pk}/change/", {"action": "remove", "tracking_number": parcels[2].tracking_number}
    )
    response = nyc_page.post(
        f"/admin/dispatches/bag/{bag.pk}/change/", {"action": "close", "weight_kg": "4.2", "seal": "SEAL-1"}
    )
    bag.refresh_from_db()
    assert response.url == f"/admin/dispatches/bag/{bag.identifier}/change/"
    assert bag.identifier.endswith("910042")  # highest unknown, registered, 4.2 kg

    label = nyc_page.get(f"/admin/dispatches/bag/{bag.identifier}/label/").content.decode()
    assert "<svg" in label
    assert " ".join([bag.identifier[0:6], bag.identifier[6:12], bag.identifier[12:15]]) in label
    assert "2 parcels" in label
    assert 'class="registered"' in label
    assert "New York" in label
    assert "Boston" in label
    assert (
        "size: 105mm 148mm" in nyc_page.get(f"/admin/dispatches/bag/{bag.identifier}/label/?paper=a6").content.decode()
    )

    assert bag.identifier in nyc_page.get("/admin/dispatches/bag/dispatch/").content.decode()
    response = nyc_page.post("/admin/dispatches/bag/dispatch/", {"bags": [bag.identifier]})
    s8 = bag.identifier[:20]
    assert response.url == f"/admin/dispatches/bag/dispatch/{s8}/"
    sheet = nyc_page.get(response.url).content.decode()
    assert s8 in sheet
    assert parcels[0].tracking_number in sheet
    assert "EST" in sheet or "EDT" in sheet  # the origin's zone, named
    csv_text = nyc_page.get(f"{response.url}?format=csv").content.decode()
    assert csv_text.startswith(f"dispatch,{s8}")

    # Received with one scan of the label; scanned at the wrong office it says where it is going.
    both = clerk_at(nyc, OfficeFactory(code="CHI01", exchange_code="USCHIA"), username="clerk.two")
    wrong = login(both).post("/admin/dispatches/bag/receive/", {"identifier": bag.identifier}).content.decode()
    assert f"Bag {bag.identifier} is going to BOS01, not here." in wrong
    response = bos_page.post(
        "/admin/dispatches/bag/receive/", {"identifier": " ".join([bag.identifier[:6], bag.identifier[6:]])}
    )
    assert response.url == f"/admin/dispatches/bag/{bag.identifier}/change/"
    page = bos_page.post(
        response.url,
        {"action": "check", "found": f"{parcels[0].tracking_number}\n{parcels[2].tracking_number}", "weight_kg": "4.0"},
    ).content.decode()
    assert "1 missing, 1 extra" in page
    assert parcels[1].tracking_number in page

    discrepancies = login(hq).get("/admin/dispatches/discrepancy/").content.decode()
    assert parcels[1].tracking_number in discrepancies
    assert "Open discrepancies" in login(hq).get("/admin/").content.decode()
    # The origin office sees the discrepancy on its bag.
    assert "Discrepancies" in nyc_page.get(f"/admin/dispatches/bag/{bag.identifier}/change/").content.decode()


def test_another_offices_clerk_cannot_open_a_bag_page(nyc, bos, nyc_clerk):
    bag = login(nyc_clerk).post(
        "/admin/dispatches/bag/add/", {"origin_office": nyc.pk, "destination_office": bos.pk, "category": "C"}
    )
    stranger = login(clerk_at(OfficeFactory(code="CHI01"), username="clerk.chi01"))
    assert stranger.get(bag.url).status_code == 404
    assert stranger.get("/admin/dispatches/bag/USNYCAUSBOSACCN6000100191004/label/").status_code == 404
