"""The OpenAPI schema is valid, complete and warning-free, and the docs are
open while DEBUG is on (staff-only otherwise: see the access matrix)."""

import pytest
import yaml
from django.core.management import call_command
from django.test import override_settings


def test_schema_generates_without_warnings_and_validates(tmp_path):
    output = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(output))
    schema = yaml.safe_load(output.read_text())
    assert set(schema["paths"]) == {
        "/api/v1/track/{tracking_number}/",
        "/api/v1/offices/",
        "/api/v1/offices/{code}/",
        "/api/v1/offices/{code}/packages/",
        "/api/v1/offices/{code}/reports/costs/",
        "/api/v1/reports/costs/",
        "/api/v1/reports/on-time/",
        "/api/v1/packages/",
        "/api/v1/packages/{tracking_number}/",
        "/api/v1/packages/{tracking_number}/events/",
        "/api/v1/packages/{tracking_number}/return/",
        "/api/v1/packages/{tracking_number}/label.zpl",
        "/api/v1/labels.zpl",
        "/api/v1/packages/{tracking_number}/proof/",
        "/api/v1/packages/{tracking_number}/proof-uploads/",
        "/api/v1/quotes/",
        "/api/v1/bags/",
        "/api/v1/bags/{key}/",
        "/api/v1/bags/{key}/parcels/",
        "/api/v1/bags/{key}/parcels/{tracking_number}/",
        "/api/v1/bags/{key}/close/",
        "/api/v1/bags/{key}/receive/",
        "/api/v1/bags/{key}/check/",
        "/api/v1/dispatches/",
        "/api/v1/dispatches/{identifier}/",
        "/api/v1/dispatches/{identifier}/list.csv",
        "/api/v1/discrepancies/",
        "/api/v1/webhooks/",
        "/api/v1/webhooks/{id}/",
        "/api/v1/webhooks/{id}/deliveries/",
        "/api/v1/webhooks/{id}/redeliver/",
        "/api/v1/webhooks/{id}/test/",
        "/api/v1/webhooks/{id}/rotate-secret/",
        # Money at the counter (counter/api).
        "/api/v1/packages/{tracking_number}/payments/",
        "/api/v1/tills/",
        "/api/v1/tills/{id}/close/",
        "/api/v1/offices/{code}/days/{date}/",
        "/api/v1/offices/{code}/days/{date}/close/",
        "/api/v1/days/{date}/",
        "/api/v1/remittances/",
        "/api/v1/remittances/{id}/pay/",
    }
    # Every field of a bag is documented with the contract's names.
    bag = schema["components"]["schemas"]["Bag"]["properties"]
    assert {"id", "identifier", "state", "origin_office", "destination_office", "category", "weight_kg", "seal"} <= set(
        bag
    )
    assert {"parcels", "dispatch"} <= set(bag)
    assert "exchange_code" in schema["components"]["schemas"]["Office"]["properties"]
    assert schema["components"]["securitySchemes"]["cognitoToken"]["scheme"] == "bearer"
    # The public lookup needs no credentials.
    assert schema["paths"]["/api/v1/track/{tracking_number}/"]["get"].get("security", []) in ([], [{}])
    assert "cognitoToken" in str(schema["paths"]["/api/v1/packages/"]["get"]["security"])


@pytest.mark.parametrize("url", ["/api/v1/schema/", "/api/v1/docs/"])
def test_docs_are_open_in_debug(url, client, db):
    with override_settings(DEBUG=True):
        assert client.get(url).status_code == 200


def test_schema_is_valid_for_openapi_spec_validator(tmp_path):
    """What a frontend's code generator checks: defaults must fit their field's format too."""
    from openapi_spec_validator import validate

    output = tmp_path / "schema.yaml"
    call_command("spectacular", "--file", str(output))
    validate(yaml.safe_load(output.read_text()))
