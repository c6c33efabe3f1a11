"""Every 400 names what was wrong the same way: ``details`` maps a field's path
(dotted for nested fields) to a list of messages, whichever layer refused it
(a serializer, a nested serializer, a filter, a rule of the service)."""

import pytest
import yaml
from django.core.management import call_command

from tests.api.test_packages import new_parcel
from tests.helpers import assert_error


def assert_field_errors(details: dict) -> None:
    """The one shape: every key a path, every value a non-empty list of strings."""
    assert details
    for path, messages in details.items():
        assert isinstance(path, str)
        assert path
        assert isinstance(messages, list), (path, messages)
        assert messages, path
        assert all(isinstance(message, str) and message for message in messages), (path, messages)


@pytest.fixture
def clerk_a_client(client_for, clerk_a):
    return client_for(clerk_a)


def test_a_nested_field_error_is_a_dotted_path(clerk_a_client, office_c, tariff):
    body = new_parcel(sender={"name": "Sam", "address": {"line1": "1 Elm St", "country": "US"}})
    error = assert_error(clerk_a_client.post("/api/v1/packages/", body, format="json"), 400, "invalid")
    assert_field_errors(error["details"])
    assert error["details"]["sender.address.city"] == ["This field is required."]


def test_a_rule_of_the_service_names_its_field_with_a_list(clerk_a_client, office_c, tariff):
    response = clerk_a_client.post("/api/v1/packages/", new_parcel(weight_grams=80_000), format="json")
    error = assert_error(response, 400)
    assert_field_errors(error["details"])
    assert list(error["details"]) == ["weight_grams"]


def test_a_rule_on_a_nested_field_is_the_same_dotted_path(clerk_a_client, office_c, tariff):
    body = new_parcel(receiver={**new_parcel()["receiver"], "notify_sms": True})  # SMS asked, no phone
    error = assert_error(clerk_a_client.post("/api/v1/packages/", body, format="json"), 400)
    assert_field_errors(error["details"])
    assert "receiver.phone" in error["details"]


def test_a_filter_and_a_page_size_name_their_parameter(clerk_a_client):
    for query, parameter in (("status=flying", "status"), ("page_size=0", "page_size")):
        error = assert_error(clerk_a_client.get(f"/api/v1/packages/?{query}"), 400, "invalid")
        assert_field_errors(error["details"])
        assert list(error["details"]) == [parameter]


def test_an_event_refused_by_the_service_names_the_office_with_a_list(clerk_a_client, package_a):
    url = f"/api/v1/packages/{package_a.tracking_number}/events/"
    for status in ("accepted", "in_transit"):
        assert clerk_a_client.post(url, {"status": status}, format="json").status_code == 201
    error = assert_error(clerk_a_client.post(url, {"status": "delayed", "reason": "weather"}, format="json"), 400)
    assert error["details"] == {"office": ["Required while the package is in transit."]}


def test_field_errors_flattens_every_form_drf_and_the_services_use():
    from api.exception_handler import field_errors

    assert field_errors({"sender": {"address": {"city": ["Required."]}, "non_field_errors": ["Bad party."]}}) == {
        "sender.address.city": ["Required."],
        "sender": ["Bad party."],
    }
    assert field_errors({"items": [{}, {"name": ["Too long."]}]}) == {"items.1.name": ["Too long."]}
    assert field_errors(["Wrong as a whole."]) == {"non_field_errors": ["Wrong as a whole."]}
    assert field_errors({"sender.phone": "Not a phone number."}) == {"sender.phone": ["Not a phone number."]}


def test_the_schema_documents_the_field_error_shape_for_every_400(tmp_path):
    output = tmp_path / "schema.yaml"
    call_command("spectacular", "--file", str(output))
    schema = yaml.safe_load(output.read_text())
    components = schema["components"]["schemas"]
    details = components["FieldErrorBody"]["properties"]["details"]
    assert details["type"] == "object"
    assert details["additionalProperties"] == {"type": "array", "items": {"type": "string"}}
    assert "dotted" in details["description"]
    four_hundreds = [
        operation["responses"]["400"]
        for path in schema["paths"].values()
        for operation in path.values()
        if "400" in operation.get("responses", {})
    ]
    assert len(four_hundreds) >= 8
    for response in four_hundreds:
        assert response["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/FieldError"}
