"""Public tracking: the API endpoint and the /track/ page show the same
redacted timeline, and nothing about the people or the price."""

import re

import pytest
from django.test import override_settings

from shipments.services import package_record_event

# The people of the travelled package (its sender and receiver, and the clerk's
# note about the sender) and their contact details: never shown to the public.
PRIVATE = ("Alice", "Avery", "Sam", "Rita", "555", "example.com")


def _without_timestamps(text: str) -> str:
    """Times like 2026-11-23T06:31:12.555123Z could contain "555" or a price's digits by chance."""
    return re.sub(r"\d{4}-\d{2}-\d{2}T[\d:.]+(Z|[+-]\d{2}:\d{2})?", "<time>", text)


@pytest.fixture
def travelled(package_a, office_a, office_c):
    package_record_event(package=package_a, status="accepted", office=office_a, note="Sender: Sam, 555-0100")
    package_record_event(package=package_a, status="in_transit")
    package_record_event(package=package_a, status="arrived", office=office_c)
    package_record_event(package=package_a, status="delayed", office=office_c, reason="weather")
    package_a.refresh_from_db()
    return package_a


def test_public_tracking_is_redacted(api_client, travelled):
    response = api_client.get(f"/api/v1/track/{travelled.tracking_number.lower()}/")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {
        "tracking_number",
        "status",
        "status_label",
        "service",
        "origin",
        "destination",
        "expected_delivery_at",
        "delivered_at",
        "returning",
        "events",
    }
    assert body["origin"] == {"city": "Springfield", "country": "US"}
    assert [event["status"] for event in body["events"]] == ["created", "accepted", "in_transit", "arrived", "delayed"]
    assert body["events"][-1]["description"] == "Delayed (weather)"
    assert set(body["events"][0]) == {"status", "occurred_at", "office_city", "description"}
    assert body["events"][2]["office_city"] == "Springfield"  # the leg departs from the origin office
    text = _without_timestamps(
        re.sub(travelled.tracking_number, "<number>", response.content.decode(), flags=re.IGNORECASE)
    )
    for secret in (*PRIVATE, "Main St", "Analytical", str(travelled.cost_total)):
        assert secret not in text


def test_public_tracking_errors(api_client, package_a):
    number = package_a.tracking_number
    wrong = number[:10] + str((int(number[10]) + 1) % 10) + number[11:]
    response = api_client.get(f"/api/v1/track/{wrong}/")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_tracking_number"
    response = api_client.get("/api/v1/track/EE473124829US/")
    assert response.status_code == 404
    assert "check the number" in response.json()["error"]["message"]


def test_public_tracking_ignores_broken_credentials(api_client, package_a):
    response = api_client.get(f"/api/v1/track/{package_a.tracking_number}/", headers={"Authorization": "Bearer junk"})
    assert response.status_code == 200


def test_public_tracking_is_throttled_per_client_address(api_client, package_a):
    url = f"/api/v1/track/{package_a.tracking_number}/"
    with override_settings(
        API_THROTTLE_RATES={"user": "100/minute", "anonymous": "100/minute", "tracking": "3/minute"}
    ):
        statuses = [api_client.get(url, REMOTE_ADDR="203.0.113.7").status_code for _ in range(4)]
        other = api_client.get(url, REMOTE_ADDR="198.51.100.1")
        # A forged X-Forwarded-For does not buy a fresh allowance.
        spoofed = api_client.get(url, REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="10.9.9.9")
    assert statuses == [200, 200, 200, 429]
    assert other.status_code == 200
    assert spoofed.status_code == 429
    error = spoofed.json()["error"]
    assert error["code"] == "throttled"
    assert error["details"]["retry_after_seconds"] > 0
    assert int(spoofed["Retry-After"]) > 0


def test_signed_in_users_are_throttled_per_user(client_for, clerk_a):
    client = client_for(clerk_a)
    with override_settings(API_THROTTLE_RATES={"user": "2/minute", "anonymous": "100/minute", "tracking": "9/minute"}):
        statuses = [client.get("/api/v1/offices/", REMOTE_ADDR=f"192.0.2.{n}").status_code for n in range(3)]
    assert statuses == [200, 200, 429]


# --- the /track/ page ------------------------------------------------------------


def test_track_page_form(client):
    response = client.get("/track/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<form method="get" action="/track/">' in html
    assert 'name="viewport"' in html


def test_track_page_shows_the_redacted_timeline(client, travelled):
    response = client.get("/track/", {"number": travelled.tracking_number.lower()})
    assert response.status_code == 200
    html = response.content.decode()
    assert travelled.tracking_number in html
    # The number itself may hold a "555" by chance (CP751825553US): only what else the page says counts.
    html = _without_timestamps(re.sub(travelled.tracking_number, "<number>", html, flags=re.IGNORECASE))
    assert "Delayed (weather)" in html
    assert "Springfield, US" in html
    for secret in (*PRIVATE, str(travelled.cost_total)):
        assert secret not in html


def test_track_page_bad_and_unknown_numbers(client, db):
    response = client.get("/track/", {"number": "EE473124828US"})
    assert response.status_code == 400
    assert "wrong check digit" in response.content.decode()
    response = client.get("/track/", {"number": "EE473124829US"})
    assert response.status_code == 404
    assert "We have no package EE473124829US" in response.content.decode()
    response = client.get("/track/", {"number": "x" * 5000})
    assert response.status_code == 400


def test_track_page_is_throttled(client, package_a):
    with override_settings(API_THROTTLE_RATES={"user": "9/minute", "anonymous": "9/minute", "tracking": "1/minute"}):
        assert client.get("/track/", {"number": package_a.tracking_number}).status_code == 200
        response = client.get("/track/", {"number": package_a.tracking_number})
    assert response.status_code == 429
    assert "Too many" in response.content.decode()


# --- /healthz --------------------------------------------------------------------


def test_healthz(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_healthz_is_503_when_the_database_does_not_answer(client, db, settings):
    from django.db import connection

    real_name = connection.settings_dict["NAME"]
    connection.close()
    connection.settings_dict["NAME"] = "parcels_no_such_database"
    try:
        response = client.get("/healthz")
    finally:
        connection.close()
        connection.settings_dict["NAME"] = real_name
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "unavailable"}


def test_the_public_lookup_reads_no_private_column(api_client, travelled):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert api_client.get(f"/api/v1/track/{travelled.tracking_number}/").status_code == 200
    sql = " ".join(query["sql"] for query in queries.captured_queries)
    for column in ("sender_name", "receiver_phone", "cost_total", "line1", "note", "recorded_by_id"):
        assert column not in sql


def test_track_page_shows_each_step_in_the_local_time_where_it_happened(client, package_a, office_a, office_c):
    from zoneinfo import ZoneInfo

    from offices.models import Office

    Office.objects.filter(pk=office_a.pk).update(time_zone="America/New_York")
    Office.objects.filter(pk=office_c.pk).update(time_zone="Asia/Tokyo")
    accepted = package_record_event(package=package_a, status="accepted", office=office_a)
    package_record_event(package=package_a, status="in_transit")
    arrived = package_record_event(package=package_a, status="arrived", office=office_c)
    html = client.get("/track/", {"number": package_a.tracking_number}).content.decode()
    new_york = accepted.occurred_at.astimezone(ZoneInfo("America/New_York"))
    tokyo = arrived.occurred_at.astimezone(ZoneInfo("Asia/Tokyo"))
    assert f"{new_york:%-d %b %Y, %H:%M} {new_york.tzname()}" in html
    assert f"{tokyo:%-d %b %Y, %H:%M} JST" in html
    assert new_york.tzname() in ("EST", "EDT")


def test_the_domain_page_describes_the_tracking_pages_zones_as_shown():
    """docs/domain.md said the page shows UTC; it shows each office's zone (the test above)."""
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "docs" / "domain.md").read_text()
    section = text.split("## Time zones", 1)[1].split("\n## ", 1)[0]
    page = next(item for item in section.split("\n- ") if "tracking page" in item)
    assert "UTC" not in page
    assert "zone of the office" in " ".join(page.split())
