"""The package endpoints as the frontend uses them: register, look up, record
events, filter lists, quote; with the error shape for every refusal."""

from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection

from shipments.models import Package, TrackingEvent
from shipments.tracking_numbers import issued_tracking_number
from tests.factories import clerk_at, register_package
from tests.helpers import assert_error


def new_parcel(**changes) -> dict:
    body = {
        "origin_office": "aaa01",
        "destination_office": "CCC01",
        "service": "standard",
        "weight_grams": 2500,
        "length_cm": 30,
        "width_cm": 20,
        "height_cm": 10,
        "declared_value": "120.00",
        "currency": "USD",
        "sender": {
            "name": "Sam Sender",
            "email": "sam@example.com",
            "phone": "+12125550001",
            "address": {
                "line1": "1 Elm St",
                "city": "Springfield",
                "region": "IL",
                "postal_code": "62701",
                "country": "us",
            },
            "notify_sms": True,
            "notify_email": False,
        },
        "receiver": {
            "name": "Rita Receiver",
            "email": "rita@example.com",
            "address": {"line1": "9 Oak Ave", "line2": "Apt 3", "city": "Shelbyville", "country": "US"},
            "notify_email": True,
        },
    }
    body.update(changes)
    return body


@pytest.fixture
def clerk_a_client(client_for, clerk_a):
    return client_for(clerk_a)


# --- register ------------------------------------------------------------------


def test_register_returns_the_package_detail_with_frozen_cost(clerk_a_client, office_c, tariff):
    response = clerk_a_client.post("/api/v1/packages/", new_parcel(), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    package = Package.objects.get(tracking_number=body["tracking_number"])
    assert body["status"] == "created"
    assert body["origin_office"] == "AAA01"
    assert body["current_office"] == "AAA01"
    assert body["destination_office"] == "CCC01"
    assert body["sender"]["address"] == {
        "line1": "1 Elm St",
        "line2": "",
        "city": "Springfield",
        "region": "IL",
        "postal_code": "62701",
        "country": "US",
    }
    assert body["receiver"]["notify_email"] is True
    # Money is decimal strings, and the parts add up to the total.
    cost = body["cost"]
    assert cost["total"] == str(package.cost_total)
    parts = ("base", "weight", "distance", "insurance", "surcharges", "tax")
    assert sum(Decimal(cost[part]) for part in parts) == Decimal(cost["total"])
    assert cost["currency"] == "USD"
    assert [event["status"] for event in body["events"]] == ["created"]
    assert body["events"][0]["source"] == "api"
    assert package.created_by.username == "clerk_a"


def test_register_and_accept_at_the_counter(clerk_a_client, office_c, tariff):
    # Accepted only once paid (counter.services): the frontend reports the card payment.
    unpaid = clerk_a_client.post("/api/v1/packages/", new_parcel(accept=True), format="json")
    assert unpaid.status_code == 400
    assert unpaid.json()["error"]["details"] == {"payment": ["Required to accept."]}
    payment = {"method": "card", "reference": "AUTH-1", "card_last4": "4242"}
    response = clerk_a_client.post("/api/v1/packages/", new_parcel(accept=True, payment=payment), format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "accepted"
    assert body["expected_delivery_at"] is not None
    assert [event["status"] for event in body["events"]] == ["created", "accepted"]


def _next_number_drawn(service_indicator: str) -> str:
    """The number the sequence will give the next registration, without drawing it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT last_value, is_called FROM shipments_tracking_serial")
        last, called = cursor.fetchone()
        cursor.execute("SELECT plain_below FROM shipments_tracking_serial_scheme")
        (plain_below,) = cursor.fetchone()
    position = last + 1 if called else last
    while True:
        number = issued_tracking_number(
            service_indicator,
            position,
            settings.TRACKING_NUMBER_COUNTRY,
            key=settings.TRACKING_NUMBER_KEY,
            plain_below=plain_below,
        )
        if number is not None:
            return number
        position += 1


def test_registration_draws_past_a_number_of_ours_already_taken(clerk_a_client, office_a, office_c, tariff):
    """Issue 20, point 6: a number of ours registered some other way (an import
    before imports refused them) is skipped when the permutation reaches it,
    not a 500."""
    taken = register_package(origin=office_a, destination=office_c)
    upcoming = _next_number_drawn("CP")
    Package.objects.filter(pk=taken.pk).update(tracking_number=upcoming)
    response = clerk_a_client.post("/api/v1/packages/", new_parcel(), format="json")
    assert response.status_code == 201, response.content
    assert response.json()["tracking_number"] not in (upcoming, taken.tracking_number)
    assert Package.objects.get(tracking_number=upcoming).pk == taken.pk


def test_register_at_another_office_is_refused(clerk_a_client, office_b, office_c, tariff):
    error = assert_error(
        clerk_a_client.post("/api/v1/packages/", new_parcel(origin_office="BBB01"), format="json"),
        403,
        "office_not_allowed",
    )
    assert "BBB01" in error["message"]
    assert not Package.objects.exists()


def test_mass_assignment_of_fields_the_serializer_does_not_own_has_no_effect(
    clerk_a_client, office_b, office_c, tariff
):
    hostile = new_parcel(
        status="delivered",
        tracking_number="EE473124829US",
        current_office="BBB01",
        cost_total="0.01",
        cost={"total": "0.01"},
        created_by=999,
        delivered_at="2020-01-01T00:00:00Z",
        id=1,
    )
    response = clerk_a_client.post("/api/v1/packages/", hostile, format="json")
    assert response.status_code == 201
    package = Package.objects.get()
    assert package.status == "created"
    assert package.tracking_number != "EE473124829US"
    assert package.current_office.code == "AAA01"
    assert package.cost_total > Decimal("1")
    assert package.delivered_at is None


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"weight_grams": 0}, "weight_grams"),
        ({"weight_grams": "heavy"}, "weight_grams"),
        ({"service": "teleport"}, "service"),
        ({"origin_office": "NOPE1"}, "origin_office"),
        ({"declared_value": "-5"}, "declared_value"),
        ({"declared_value": "NaN"}, "declared_value"),
        ({"sender": {"name": "X"}}, "sender.address"),
        ({"receiver": "Rita"}, "receiver"),
        ({"sender": {"name": "A\x00B", "address": {"line1": "1", "city": "c", "country": "US"}}}, "sender.name"),
    ],
)
def test_register_validation_errors_name_the_field(changes, field, clerk_a_client, office_c, tariff):
    error = assert_error(clerk_a_client.post("/api/v1/packages/", new_parcel(**changes), format="json"), 400, "invalid")
    assert field in error["details"]


def test_rules_of_the_service_come_back_as_400_with_details(clerk_a_client, office_c, tariff):
    error = assert_error(clerk_a_client.post("/api/v1/packages/", new_parcel(weight_grams=80_000), format="json"), 400)
    assert "weight_grams" in error["details"]


def test_every_rule_problem_of_a_registration_comes_back_at_once(clerk_a_client, office_c, tariff):
    """A 90 kg parcel whose sender wants SMS without a phone: both, in one 400."""
    body = new_parcel(weight_grams=90_000)
    body["sender"] = {**body["sender"], "phone": ""}
    error = assert_error(clerk_a_client.post("/api/v1/packages/", body, format="json"), 400)
    assert error["message"] == "Please correct the parcel, sender and receiver details."
    assert set(error["details"]) >= {"weight_grams", "sender.phone"}, error["details"]


def test_malformed_json_is_400(clerk_a_client, tariff):
    response = clerk_a_client.post("/api/v1/packages/", "{not json", content_type="application/json")
    assert_error(response, 400, "parse_error")


def test_form_posts_are_415_not_500(clerk_a_client):
    response = clerk_a_client.post("/api/v1/packages/", {"service": "standard"})  # multipart
    assert_error(response, 415)


# --- detail and events -----------------------------------------------------------


def test_detail_by_tracking_number_accepts_spaces_and_lower_case(clerk_a_client, package_a):
    number = package_a.tracking_number
    spaced = f"{number[:2].lower()} {number[2:6]} {number[6:]}"
    response = clerk_a_client.get(f"/api/v1/packages/{spaced}/")
    assert response.status_code == 200
    assert response.json()["tracking_number"] == number
    assert response.json()["sender"]["name"] == "Alice Avery"


def test_a_wrong_check_digit_is_400_before_any_lookup(clerk_a_client, package_a):
    number = package_a.tracking_number
    wrong = number[:10] + str((int(number[10]) + 1) % 10) + number[11:]
    error = assert_error(clerk_a_client.get(f"/api/v1/packages/{wrong}/"), 400, "invalid_tracking_number")
    assert "check digit" in error["message"]
    assert_error(clerk_a_client.get("/api/v1/packages/hello/"), 400, "invalid_tracking_number")


def test_unknown_package_is_404(clerk_a_client, db):
    assert_error(clerk_a_client.get("/api/v1/packages/EE473124829US/"), 404, "not_found")


def test_record_event_defaults_to_the_current_office(clerk_a_client, package_a):
    url = f"/api/v1/packages/{package_a.tracking_number}/events/"
    response = clerk_a_client.post(url, {"status": "accepted", "note": "Handed over"}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["office"] == "AAA01"
    assert response.json()["note"] == "Handed over"
    response = clerk_a_client.post(url, {"status": "in_transit"}, format="json")
    assert response.status_code == 201
    assert response.json()["office"] == "AAA01"  # the office the leg departs from
    package_a.refresh_from_db()
    assert package_a.status == "in_transit"
    assert package_a.current_office is None


def test_an_event_in_transit_without_an_office_is_400_naming_the_field(clerk_a_client, package_a):
    url = f"/api/v1/packages/{package_a.tracking_number}/events/"
    for status in ("accepted", "in_transit"):
        assert clerk_a_client.post(url, {"status": status}, format="json").status_code == 201
    error = assert_error(clerk_a_client.post(url, {"status": "delayed", "reason": "weather"}, format="json"), 400)
    assert error["details"] == {"office": ["Required while the package is in transit."]}
    response = clerk_a_client.post(url, {"status": "delayed", "reason": "weather", "office": "AAA01"}, format="json")
    assert response.status_code == 201


def test_a_step_away_from_the_parcel_is_refused_through_the_api(client_for, package_a, office_c, clerk_a_client):
    """A→C accepted at A: a clerk at C cannot send it out for delivery from C."""
    url = f"/api/v1/packages/{package_a.tracking_number}/events/"
    assert clerk_a_client.post(url, {"status": "accepted"}, format="json").status_code == 201
    clerk_c = clerk_at(office_c, username="clerk_c_api")
    response = client_for(clerk_c).post(url, {"status": "out_for_delivery", "office": "CCC01"}, format="json")
    error = assert_error(response, 400)
    assert error["details"] == {"office": ["Not where the parcel is."]}
    package_a.refresh_from_db()
    assert package_a.status == "accepted"


def test_an_illegal_transition_is_409_with_what_is_allowed(clerk_a_client, package_a):
    url = f"/api/v1/packages/{package_a.tracking_number}/events/"
    error = assert_error(clerk_a_client.post(url, {"status": "delivered"}, format="json"), 409, "illegal_transition")
    assert error["details"]["allowed_next"] == ["accepted", "cancelled"]
    assert TrackingEvent.objects.filter(package=package_a).count() == 1


def test_delay_needs_a_reason(clerk_a_client, package_a):
    url = f"/api/v1/packages/{package_a.tracking_number}/events/"
    clerk_a_client.post(url, {"status": "accepted"}, format="json")
    assert_error(clerk_a_client.post(url, {"status": "delayed"}, format="json"), 400)
    response = clerk_a_client.post(url, {"status": "delayed", "reason": "weather"}, format="json")
    assert response.status_code == 201
    assert response.json()["reason"] == "weather"


@pytest.mark.parametrize("occurred_at", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"])
def test_an_event_at_the_ends_of_the_calendar_is_400_not_500(clerk_a_client, package_a, occurred_at):
    url = f"/api/v1/packages/{package_a.tracking_number}/events/"
    response = clerk_a_client.post(url, {"status": "accepted", "occurred_at": occurred_at}, format="json")
    assert "occurred_at" in assert_error(response, 400)["details"]


@pytest.mark.parametrize("occurred_at", ["0001-01-01T00:00:00Z", "1999-12-31T23:59:59Z"])
def test_an_event_dated_before_the_network_started_is_400(clerk_a_client, package_a, occurred_at):
    """Issue 20, point 4: a time before NETWORK_START_DATE (2000-01-01) is refused, not stored."""
    url = f"/api/v1/packages/{package_a.tracking_number}/events/"
    response = clerk_a_client.post(url, {"status": "accepted", "occurred_at": occurred_at}, format="json")
    error = assert_error(response, 400)
    assert error["message"] == "An event cannot happen before 2000-01-01, when the network started."
    assert error["details"] == {"occurred_at": ["Before 2000-01-01, when the network started."]}
    assert TrackingEvent.objects.filter(package=package_a).count() == 1


def test_event_at_an_unknown_office_code_is_400(clerk_a_client, package_a):
    url = f"/api/v1/packages/{package_a.tracking_number}/events/"
    error = assert_error(clerk_a_client.post(url, {"status": "accepted", "office": "ZZZ99"}, format="json"), 400)
    assert "office" in error["details"]


def test_event_mass_assignment_cannot_move_the_package_or_fake_the_clerk(clerk_a_client, package_a, clerk_b):
    url = f"/api/v1/packages/{package_a.tracking_number}/events/"
    response = clerk_a_client.post(
        url, {"status": "accepted", "recorded_by": clerk_b.pk, "package": 999, "source": "system"}, format="json"
    )
    assert response.status_code == 201
    event = TrackingEvent.objects.get(package=package_a, status="accepted")
    assert event.recorded_by.username == "clerk_a"
    assert event.source == "api"


def test_offices_with_address_and_coordinates(clerk_a_client, office_a, office_b):
    body = clerk_a_client.get("/api/v1/offices/").json()
    assert [office["code"] for office in body["results"]] == ["AAA01", "BBB01"]
    detail = clerk_a_client.get("/api/v1/offices/aaa01/").json()
    assert detail["address"]["latitude"] == "40.000000"
    assert detail["address"]["country"] == "US"
    assert_error(clerk_a_client.get("/api/v1/offices/NOPE1/"), 404)


def test_quote_is_the_same_breakdown_as_the_registered_cost_and_creates_nothing(clerk_a_client, office_c, tariff):
    facts = {key: value for key, value in new_parcel().items() if key not in ("sender", "receiver")}
    quoted = clerk_a_client.post("/api/v1/quotes/", facts, format="json")
    assert quoted.status_code == 200, quoted.content
    assert not Package.objects.exists()
    registered = clerk_a_client.post("/api/v1/packages/", new_parcel(), format="json").json()
    assert quoted.json() == registered["cost"]


def test_unknown_api_url_is_404_in_the_error_shape(client_for, clerk_a):
    assert_error(client_for(clerk_a).get("/api/v1/nothing-here/"), 404)


@pytest.mark.parametrize(
    "body",
    [
        {"status": "accepted", "occurred_at": "0001-01-01T00:00:00Z"},
        {"status": "accepted", "occurred_at": "9999-12-31T23:59:59Z"},
        {"status": "accepted", "occurred_at": "yesterday"},
        {"status": "accepted", "note": "x" * 5000},
        {"status": ["accepted"]},
        {"status": "accepted", "office": {"code": "AAA01"}},
    ],
)
def test_odd_event_input_is_400(body, clerk_a_client, package_a):
    url = f"/api/v1/packages/{package_a.tracking_number}/events/"
    assert_error(clerk_a_client.post(url, body, format="json"), 400)


def test_an_office_shows_its_opening_hours(clerk_a_client, office_c):
    office_c.opening_hours = "Mon–Fri 8:00–19:00"
    office_c.save()
    response = clerk_a_client.get("/api/v1/offices/CCC01/")
    assert response.status_code == 200
    assert response.json()["opening_hours"] == "Mon–Fri 8:00–19:00"
    listed = {office["code"]: office for office in clerk_a_client.get("/api/v1/offices/").json()["results"]}
    assert listed["CCC01"]["opening_hours"] == "Mon–Fri 8:00–19:00"
