"""The way back in the API: a clerk's return decision, the ``returning`` field
of every package representation, the office's holding period."""

import pytest

from shipments.models import Charge
from shipments.services import package_record_event
from tests.factories import clerk_at


@pytest.fixture
def arrived(package_a, office_c):
    """A to C, arrived at C."""
    package_record_event(package=package_a, status="accepted")
    package_record_event(package=package_a, status="in_transit")
    package_record_event(package=package_a, status="arrived", office=office_c)
    return package_a


@pytest.fixture
def clerk_c(office_c):
    return clerk_at(office_c, username="clerk_c")


def url(package):
    return f"/api/v1/packages/{package.tracking_number}/return/"


def test_a_clerk_returns_a_parcel_with_a_reason_and_every_representation_says_so(arrived, clerk_c, client_for):
    client = client_for(clerk_c)
    response = client.post(url(arrived), {"reason": "address_issue", "note": "No such street."}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["reason"], body["office"], body["recorded_by"]) == (
        "return_started",
        "address_issue",
        "CCC01",
        "clerk_c",
    )
    assert Charge.objects.filter(package=arrived, kind="return").count() == 1

    detail = client.get(f"/api/v1/packages/{arrived.tracking_number}/").json()
    assert detail["returning"] is True
    assert detail["status"] == "return_started"
    listed = client.get("/api/v1/offices/CCC01/packages/?direction=on_hand").json()["results"]
    assert [row["returning"] for row in listed if row["tracking_number"] == arrived.tracking_number] == [True]
    public = client_for(None).get(f"/api/v1/track/{arrived.tracking_number}/").json()
    assert public["returning"] is True
    assert public["status_label"] == "Returning to sender"
    assert public["events"][-1]["description"] == "Returning to sender (address issue)"

    # Once on its way back, a second decision is a conflict that names the way.
    again = client.post(url(arrived), {"reason": "other"}, format="json")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "illegal_transition"


def test_the_public_page_shows_the_direction_on_the_way_back(arrived, clerk_c, client_for, office_c):
    client_for(clerk_c).post(url(arrived), {"reason": "damaged"}, format="json")
    package_record_event(package=arrived, status="in_transit")
    page = client_for(None).get(f"/track/?number={arrived.tracking_number}").content.decode()
    assert "Returning to sender" in page
    assert f"{arrived.tracking_number}: In transit" in page


def test_outbound_parcels_are_not_returning(package_a, client_for, clerk_a):
    detail = client_for(clerk_a).get(f"/api/v1/packages/{package_a.tracking_number}/").json()
    assert detail["returning"] is False
    assert client_for(clerk_a).get("/api/v1/packages/").json()["results"][0]["returning"] is False


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "reason"),
        ({"reason": "bored"}, "reason"),
        ({"reason": "other\x00"}, "reason"),
        ({"reason": None}, "reason"),
    ],
)
def test_a_return_needs_a_known_reason(arrived, clerk_c, client_for, body, field):
    response = client_for(clerk_c).post(url(arrived), body, format="json")
    assert response.status_code == 400
    assert list(response.json()["error"]["details"]) == [field]
    arrived.refresh_from_db()
    assert arrived.returning is False


def test_another_office_cannot_return_a_parcel_it_cannot_see(arrived, clerk_b, client_for):
    response = client_for(clerk_b).post(url(arrived), {"reason": "damaged"}, format="json")
    assert response.status_code == 404
    arrived.refresh_from_db()
    assert (arrived.status, arrived.returning) == ("arrived", False)


def test_the_origin_clerk_sees_it_but_returns_only_where_the_parcel_is(arrived, clerk_a, client_for):
    response = client_for(clerk_a).post(url(arrived), {"reason": "damaged"}, format="json")
    assert response.status_code == 403  # the parcel is at C, where clerk_a does not work
    assert response.json()["error"]["code"] == "office_not_allowed"


def test_the_office_shows_its_holding_period(office_c, clerk_c, client_for):
    office_c.holding_days = 7
    office_c.save()
    assert client_for(clerk_c).get("/api/v1/offices/CCC01/").json()["holding_days"] == 7
