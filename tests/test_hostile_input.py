"""Bad input is never a 500: a table of hostile requests against the admin (a
signed-in clerk, or the office's manager for its report) and the API, each
answered with a 4xx and a message saying what was wrong (or, on an admin page
that can still be shown, the page with that message).

The test client re-raises a view's exception, so a 500 fails its row with
the traceback."""

import json

import pytest
from django.conf import settings
from django.test import Client

from tests.helpers import login

AUTOCOMPLETE = "/admin/autocomplete/?app_label=shipments&model_name=package&field_name=destination_office"
PACKAGES = "/admin/shipments/package/"
NULL_MESSAGE = "null character"

# (who, path, status, message): GET requests against the admin.
ADMIN_GETS = [
    ("clerk", "/admin/shipments/package/%00/change/", 400, NULL_MESSAGE),
    ("clerk", "/admin/%00", 400, NULL_MESSAGE),
    ("clerk", f"{PACKAGES}?status__exact=%00", 400, NULL_MESSAGE),
    ("clerk", f"{PACKAGES}?q=%00", 400, NULL_MESSAGE),
    ("clerk", f"{PACKAGES}?origin_office=%00", 400, NULL_MESSAGE),
    ("clerk", f"{PACKAGES}?%00=1", 400, NULL_MESSAGE),
    ("clerk", f"{AUTOCOMPLETE}&term=%00", 400, NULL_MESSAGE),
    ("clerk", "/track/?number=EE473124829US%00", 400, NULL_MESSAGE),
    # Year 9999 (and year 1) in the list's date filters: the filter is ignored, the list shown.
    ("clerk", f"{PACKAGES}?created_at_from=9999-12-31&created_at_to=9999-12-31", 200, "Pick a day between"),
    ("clerk", f"{PACKAGES}?created_at_from=0001-01-01", 200, "Pick a day between"),
    # Lookups the list does not offer are dropped with a message, never run (no regex errors).
    ("clerk", f"{PACKAGES}?sender_name__regex=%5B", 200, "is not a filter of this list"),
    ("clerk", f"{PACKAGES}?origin_office__name__regex=%5B", 200, "is not a filter of this list"),
    ("clerk", f"{PACKAGES}?sender_phone__startswith=555", 200, "is not a filter of this list"),
    ("clerk", f"{PACKAGES}?no_such_field=1", 200, "is not a filter of this list"),
    ("clerk", f"{PACKAGES}?origin_office=not-an-office", 200, "is not an office code"),
    ("clerk", f"{PACKAGES}?origin_office__id__exact=1", 200, "is not a filter of this list"),
    # A digit to str.isdigit() but not to int() ("²"), or too many digits for an id: not found.
    ("clerk", "/admin/handover/%C2%B2/deliver/", 404, "Not Found"),
    ("clerk", "/admin/handover/99999999999999999999/deliver/", 404, "Not Found"),
    ("clerk", "/admin/shipments/package/%C2%B2/change/", 404, "Not Found"),
    ("clerk", "/admin/shipments/package/99999999999999999999/change/", 404, "Not Found"),
    # The cost report's dates.
    ("manager", "/admin/shipments/package/report/AAA01/?date_from=9999-12-31&date_to=9999-12-31", 200, "Pick a day"),
    ("manager", "/admin/shipments/package/report/AAA01/?date_from=0001-01-01&date_to=0001-01-02", 200, "Pick a day"),
]

# (who, method, path, body, status, code, message): requests against the API (JSON bodies).
DEEP = "[" * 5000 + "]" * 5000
API_REQUESTS = [
    (None, "get", "/api/v1/offices/%00/", None, 400, "invalid", NULL_MESSAGE),
    ("clerk", "get", "/api/v1/offices/%00/", None, 400, "invalid", NULL_MESSAGE),
    ("clerk", "get", "/api/v1/packages/?status=%00", None, 400, "invalid", NULL_MESSAGE),
    ("clerk", "get", "/api/v1/packages/?search=%00", None, 400, "invalid", NULL_MESSAGE),
    ("clerk", "get", "/api/v1/packages/?search=a%00b", None, 400, "invalid", NULL_MESSAGE),
    (None, "get", "/api/v1/track/EE473124829US%00/", None, 400, "invalid", NULL_MESSAGE),
    # Null characters in JSON strings: the serializer names the field.
    ("clerk", "post", "/api/v1/quotes/", '{"currency": "US\\u0000"}', 400, "invalid", "Null characters are not"),
    (
        "clerk",
        "post",
        "/api/v1/packages/",
        '{"sender": {"phone": "1\\u0000"}}',
        400,
        "invalid",
        "Null characters are not",
    ),
    ("clerk", "post", "/api/v1/packages/", '{"origin_office": "AAA01\\u0000"}', 400, "invalid", "Invalid value"),
    ("clerk", "post", "/api/v1/quotes/", DEEP, 400, "parse_error", "nested too deeply"),
    ("clerk", "post", "/api/v1/quotes/", '{"a": ' * 5000 + "1" + "}" * 5000, 400, "parse_error", "nested too deeply"),
    ("manager", "get", "/api/v1/offices/AAA01/reports/costs/?from=9999-12-31", None, 400, "invalid", "Pick a day"),
    ("clerk", "get", "/api/v1/no-such-endpoint/%00/", None, 400, "invalid", NULL_MESSAGE),
    # A digit to str.isdigit() but not to int() ("²"), or too many digits for an id.
    ("clerk", "post", "/api/v1/tills/%C2%B2/close/", '{"counted": "1.00"}', 404, "not_found", ""),
    ("clerk", "post", "/api/v1/tills/99999999999999999999/close/", '{"counted": "1.00"}', 404, "not_found", ""),
    ("manager", "post", "/api/v1/remittances/%C2%B2/pay/", '{"bank_reference": "B1"}', 404, "not_found", ""),
    (
        "manager",
        "post",
        "/api/v1/remittances/99999999999999999999/pay/",
        '{"bank_reference": "B1"}',
        404,
        "not_found",
        "",
    ),
    ("clerk", "get", "/api/v1/bags/%C2%B2/", None, 400, "invalid_identifier", ""),
]


@pytest.fixture
def people(clerk_a, manager_a):
    return {"clerk": clerk_a, "manager": manager_a, None: None}


@pytest.mark.parametrize(("who", "path", "status", "message"), ADMIN_GETS)
def test_hostile_admin_requests_are_refused_with_a_message(people, package_a, who, path, status, message):
    response = login(people[who]).get(path)
    assert response.status_code == status, response.content[:500]
    assert message in response.content.decode()


@pytest.mark.parametrize(("who", "method", "path", "body", "status", "code", "message"), API_REQUESTS)
def test_hostile_api_requests_get_the_error_shape(people, client_for, who, method, path, body, status, code, message):
    client = client_for(people[who])
    if method == "get":
        response = client.get(path)
    else:
        response = client.generic(method.upper(), path, body, content_type="application/json")
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"] == "application/json"
    error = json.loads(response.content)["error"]
    assert error["code"] == code
    assert message in error["message"] + json.dumps(error["details"])


def test_a_body_too_large_for_the_api_gets_the_error_shape(client_for, clerk_a):
    body = json.dumps({"note": "x" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE})
    response = client_for(clerk_a).post("/api/v1/quotes/", body, content_type="application/json")
    assert response.status_code == 413
    error = response.json()["error"]
    assert error["code"] == "too_large"
    assert "too large" in error["message"]


def test_a_form_too_large_for_the_admin_is_a_plain_page(clerk_a):
    response = login(clerk_a).post(PACKAGES + "add/", {"sender_name": "x" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE})
    assert response.status_code == 413
    assert "too large" in response.content.decode()


@pytest.mark.parametrize("destination", ["not-a-number", "999999", "%00"])
def test_the_register_form_redraws_with_an_invalid_office(clerk_a, office_a, tariff, destination):
    client = login(clerk_a)
    response = client.post(
        PACKAGES + "add/",
        {"origin_office": office_a.pk, "destination_office": destination, "service": "standard"},
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_a_null_byte_outside_the_api_is_a_plain_page(db):
    response = Client().get("/track/%00/")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert NULL_MESSAGE in response.content.decode()


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/admin/shipments/package/scan/AAA01/", {"status": "arrived", "tracking_numbers": "EE473124829US\x00"}),
        ("/admin/shipments/package/add/", {"sender_name": "Ada\x00"}),
        ("/admin/shipments/package/", {"action": "mark_arrived", "_selected_action": "1\x00"}),
    ],
)
def test_a_null_character_in_an_admin_form_is_refused(clerk_a, path, data):
    response = login(clerk_a).post(path, data)
    assert response.status_code == 400
    assert NULL_MESSAGE in response.content.decode()


@pytest.mark.parametrize(
    ("url", "user"),
    [
        (PACKAGES, "hq"),
        ("/admin/offices/office/", "hq"),
        ("/admin/offices/membership/", "hq"),
        ("/admin/shipments/tariff/", "hq"),
        ("/admin/auth/user/", "hq"),
        ("/admin/axes/accessattempt/", "hq"),
    ],
)
def test_every_filter_a_list_offers_is_taken(net, url, user):
    # The parameters the list's own filter links use are all offered (none dropped as unknown).
    response = login(getattr(net, user)).get(url)
    changelist = response.context["cl"]
    offered = changelist.model_admin.offered_filter_parameters(response.wsgi_request)
    for spec in changelist.filter_specs:
        assert set(spec.expected_parameters()) <= offered, spec


def test_hqs_user_list_takes_only_its_own_filters(net):
    response = login(net.hq).get("/admin/auth/user/?username__regex=%5B")
    assert response.status_code == 200
    assert "is not a filter of this list" in response.content.decode()


def test_too_many_form_fields_is_a_400_with_a_message(clerk_a):
    fields = {f"field{n}": "x" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}
    response = login(clerk_a).post(PACKAGES + "add/", fields)
    assert response.status_code == 400
    assert "too many fields" in response.content.decode()


def test_a_host_we_do_not_serve_gets_the_error_shape_under_the_api(db):
    response = Client(HTTP_HOST="evil.example.com").get("/api/v1/offices/")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_request"
