"""The bag API end to end with the contract's field names: NYC01 builds, closes
and dispatches, BOS01 receives and checks, HQ sees the discrepancy; scoping,
filters, a retried request and a malformed S9."""

import csv
import io

import pytest
from rest_framework.test import APIClient

from tests.factories import OfficeFactory, clerk_at

pytestmark = pytest.mark.django_db


def client_of(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_whole_flow_through_the_api(nyc, bos, nyc_clerk, bos_clerk, hq, accepted):
    nyc_api, bos_api = client_of(nyc_clerk), client_of(bos_clerk)
    parcels = [accepted() for _ in range(3)]
    stray = accepted()

    created = nyc_api.post(
        "/api/v1/bags/", {"origin_office": "NYC01", "destination_office": "BOS01", "category": "C"}, format="json"
    )
    assert created.status_code == 201
    bag = created.json()
    assert {key: bag[key] for key in ("identifier", "state", "origin_office", "destination_office", "category")} == {
        "identifier": None,
        "state": "open",
        "origin_office": "NYC01",
        "destination_office": "BOS01",
        "category": "C",
    }
    assert (bag["weight_kg"], bag["seal"], bag["parcels"], bag["dispatch"]) == (None, "", [], None)
    assert [step["kind"] for step in bag["timeline"]] == ["opened"]

    numbers = [parcel.tracking_number for parcel in parcels]
    added = nyc_api.post(
        f"/api/v1/bags/{bag['id']}/parcels/", {"tracking_numbers": [*numbers, numbers[0]]}, format="json"
    )
    assert added.status_code == 200
    assert [(row["tracking_number"], row["outcome"]) for row in added.json()["results"]] == [
        (numbers[0], "added"),
        (numbers[1], "added"),
        (numbers[2], "added"),
        (numbers[0], "repeated"),
    ]
    assert nyc_api.delete(f"/api/v1/bags/{bag['id']}/parcels/{numbers[2]}/").status_code == 204
    closed = nyc_api.post(f"/api/v1/bags/{bag['id']}/close/", {"weight_kg": "12.4", "seal": "SEAL-77"}, format="json")
    assert closed.status_code == 200
    s9 = closed.json()["identifier"]
    assert len(s9) == 29
    assert s9.startswith("USNYCAUSBOSACCN")
    assert (closed.json()["state"], closed.json()["weight_kg"], closed.json()["seal"]) == ("closed", "12.4", "SEAL-77")
    # Once it has an S9, the S9 names it everywhere.
    assert nyc_api.get(f"/api/v1/bags/{s9}/").json()["parcels"] == numbers[:2]

    other = nyc_api.post(
        "/api/v1/bags/", {"origin_office": "NYC01", "destination_office": "BOS01", "category": "C"}, format="json"
    ).json()
    nyc_api.post(f"/api/v1/bags/{other['id']}/parcels/", {"tracking_numbers": [stray.tracking_number]}, format="json")
    other_s9 = nyc_api.post(
        f"/api/v1/bags/{other['id']}/close/", {"weight_kg": "1.0", "seal": "S2"}, format="json"
    ).json()["identifier"]

    dispatched = nyc_api.post("/api/v1/dispatches/", {"bags": [s9, str(other["id"])]}, format="json")
    assert dispatched.status_code == 201
    assert dispatched.json()["identifier"] == s9[:20]
    assert sorted(row["identifier"] for row in dispatched.json()["bags"]) == sorted([s9, other_s9])
    # A retried request answers as the first did, and moves nothing twice.
    again = nyc_api.post("/api/v1/dispatches/", {"bags": [s9, other_s9]}, format="json")
    assert (again.status_code, again.json()["identifier"]) == (201, s9[:20])
    assert parcels[0].events.filter(status="in_transit").count() == 1

    listing = nyc_api.get(f"/api/v1/dispatches/{s9[:20]}/list.csv")
    assert listing.status_code == 200
    rows = list(csv.reader(io.StringIO(listing.content.decode())))
    assert rows[0] == ["dispatch", s9[:20]]
    assert [s9, "SEAL-77", "2", "12.4", ""] in rows
    assert ["total", "", "3", "13.4", ""] in rows
    assert [s9, numbers[0], "Standard", "1", "0.00", "USD"] in rows

    assert bos_api.get("/api/v1/bags/?office=BOS01&direction=incoming&state=dispatched").json()["results"][0]["id"]
    received = bos_api.post(f"/api/v1/bags/{s9}/receive/", {}, format="json")
    assert (received.status_code, received.json()["state"]) == (200, "received")
    assert bos_api.post(f"/api/v1/bags/{s9}/receive/", {}, format="json").json()["state"] == "received"

    checked = bos_api.post(
        f"/api/v1/bags/{s9}/check/", {"found": [numbers[0], stray.tracking_number], "weight_kg": "12.1"}, format="json"
    )
    assert checked.status_code == 200
    result = checked.json()
    assert (result["missing"], result["extra"]) == ([numbers[1]], [stray.tracking_number])
    assert (result["declared_weight_kg"], result["weighed_weight_kg"]) == ("12.4", "12.1")

    for user in (hq, nyc_clerk, bos_clerk):
        open_ones = client_of(user).get("/api/v1/discrepancies/").json()["results"]
        assert [(row["bag"], row["kind"], row["tracking_number"]) for row in open_ones] == [(s9, "missing", numbers[1])]
    detail = nyc_api.get(f"/api/v1/bags/{s9}/").json()
    assert [step["kind"] for step in detail["timeline"]] == ["opened", "closed", "dispatched", "received", "checked"]
    assert {row["kind"] for row in detail["discrepancies"]} == {"missing", "extra"}
    # The public tracking shows the parcel's steps, never a bag identifier or seal.
    public = APIClient().get(f"/api/v1/track/{numbers[0]}/").content.decode()
    assert s9 not in public
    assert "SEAL-77" not in public


def test_another_offices_clerk_gets_404_and_a_malformed_s9_its_position(nyc, bos, nyc_clerk, accepted):
    bag = (
        client_of(nyc_clerk)
        .post(
            "/api/v1/bags/", {"origin_office": "NYC01", "destination_office": "BOS01", "category": "C"}, format="json"
        )
        .json()
    )
    stranger = client_of(clerk_at(OfficeFactory(code="CHI01"), username="clerk.chi01"))
    for method, url in (
        ("get", f"/api/v1/bags/{bag['id']}/"),
        ("post", f"/api/v1/bags/{bag['id']}/parcels/"),
        ("post", f"/api/v1/bags/{bag['id']}/close/"),
        ("delete", f"/api/v1/bags/{bag['id']}/parcels/CP000000000US/"),
    ):
        response = getattr(stranger, method)(
            url, {"tracking_numbers": ["x"]} if method == "post" else None, format="json"
        )
        assert response.status_code == 404, url
        assert response.json()["error"]["code"] == "not_found"
    assert stranger.get("/api/v1/bags/").json()["results"] == []

    response = client_of(nyc_clerk).post("/api/v1/bags/USNYCAUSBOSAXCN60001001910124/receive/", {}, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_identifier"
    assert error["message"] == "Position 13 must be the mail category, A or C."
    assert error["details"] == {"identifier": ["Position 13 must be the mail category, A or C."]}
    response = client_of(nyc_clerk).get("/api/v1/dispatches/USNYCAUSBOSACCN6000/")
    assert response.status_code == 400
    assert response.json()["error"]["details"] == {
        "identifier": ["A dispatch identifier (S8) has 20 characters, not 19."]
    }


def test_refusals_answer_in_the_error_shape(nyc, bos, nyc_clerk, bos_clerk):
    nyc_api = client_of(nyc_clerk)
    own = nyc_api.post(
        "/api/v1/bags/", {"origin_office": "NYC01", "destination_office": "NYC01", "category": "C"}, format="json"
    )
    assert own.status_code == 400
    assert own.json()["error"]["message"] == "A bag goes to another office, not its own."
    foreign = client_of(bos_clerk).post(
        "/api/v1/bags/", {"origin_office": "NYC01", "destination_office": "BOS01", "category": "C"}, format="json"
    )
    assert (foreign.status_code, foreign.json()["error"]["code"]) == (403, "office_not_allowed")
    bag = nyc_api.post(
        "/api/v1/bags/", {"origin_office": "NYC01", "destination_office": "BOS01", "category": "A"}, format="json"
    ).json()
    empty = nyc_api.post(f"/api/v1/bags/{bag['id']}/close/", {"weight_kg": "1.0", "seal": "S"}, format="json")
    assert (empty.status_code, empty.json()["error"]["message"]) == (400, "An empty bag cannot be closed.")
    heavy = nyc_api.post(f"/api/v1/bags/{bag['id']}/close/", {"weight_kg": "999.9", "seal": "S"}, format="json")
    assert heavy.status_code == 400
    assert "weight_kg" in heavy.json()["error"]["details"]
    wrong_filter = nyc_api.get("/api/v1/bags/?state=lost")
    assert wrong_filter.status_code == 400
    not_closed = nyc_api.post("/api/v1/dispatches/", {"bags": [str(bag["id"])]}, format="json")
    assert (not_closed.status_code, not_closed.json()["error"]["code"]) == (409, "bag_not_closed")


def test_the_bag_list_costs_the_same_queries_for_one_bag_or_many(
    nyc, bos, nyc_clerk, accepted, django_assert_num_queries
):
    from dispatches.services import bag_add_parcel, bag_open

    api = client_of(nyc_clerk)

    def bag_with(count):
        bag = bag_open(actor=nyc_clerk, origin_office=nyc, destination_office=bos, category="C")
        for _ in range(count):
            bag_add_parcel(actor=nyc_clerk, bag=bag, package=accepted())

    bag_with(1)
    api.get("/api/v1/bags/")  # warm the session's caches
    with django_assert_num_queries(3) as one:  # memberships, the page of bags, their parcels
        assert len(api.get("/api/v1/bags/").json()["results"]) == 1
    bag_with(3)
    bag_with(2)
    with django_assert_num_queries(len(one.captured_queries)):
        assert len(api.get("/api/v1/bags/").json()["results"]) == 3


def test_a_bag_filter_that_cannot_be_answered_is_a_400_naming_it(nyc, nyc_clerk):
    client = client_of(nyc_clerk)
    for query, field in (("office=NOPE9", "office"), ("direction=", "direction"), ("direction=sideways", "direction")):
        response = client.get(f"/api/v1/bags/?{query}")
        assert response.status_code == 400, query
        assert field in response.json()["error"]["details"], query
    response = client.get("/api/v1/bags/?state=lost")
    assert response.json()["error"]["details"] == {"state": ["Use one of open, closed, dispatched, received, checked."]}
