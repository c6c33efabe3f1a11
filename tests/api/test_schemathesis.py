"""Property-based tests of the whole API against its own OpenAPI schema,
in-process over WSGI: no 500s, and every response matches the schema
(status codes, content types, bodies)."""

import json

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import override_settings
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from schemathesis import checks as st_checks

from shipments.services import package_record_event


@pytest.fixture(scope="session")
def api_schema():
    """The API's schema, built when the test runs rather than when it is
    collected: collecting stays fast, and a schema error is reported against
    this test instead of breaking the collection of every test."""
    raw = SchemaGenerator().get_schema(request=None, public=True)
    schema = schemathesis.openapi.from_dict(json.loads(OpenApiJsonRenderer().render(raw)))
    schema.app = get_wsgi_application()
    return schema


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.fixture(autouse=True)
def node_id_for_schemathesis(request):
    """Schemathesis (4.32) names each operation's subtest through the test
    node's ``_nodeid``, which pytest 9.2 no longer has (it is ``_id`` now)."""
    if not hasattr(request.node, "_nodeid"):
        request.node._nodeid = request.node.nodeid


# Checks that assume every schema-valid request succeeds cannot hold here: the
# schema says "an office code is a string", the service knows which offices
# exist (and refuses with 400/404, which is the point).
EXCLUDED_CHECKS = [st_checks.positive_data_acceptance]


@pytest.fixture
def bearer(cognito_settings, clerk_a, office_a, office_c, tariff, package_a):
    """A clerk of office A with a real token, a package and a tariff for the fuzzer to find."""
    package_record_event(package=package_a, status="accepted", office=office_a)
    token = cognito_settings["tokens_for"]("clerk_a")["access"]
    high = {"user": "100000/minute", "anonymous": "100000/minute", "tracking": "100000/minute"}
    # Like Django's test client: the WSGI handler must not close the test's
    # connection (and its transaction) after each request.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        with override_settings(API_THROTTLE_RATES=high):
            yield {"Authorization": f"Bearer {token}"}
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


# The fixtures of the test are looked up while it runs: ask for the test database up front.
@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_api_conforms_to_its_schema(case, bearer):
    case.call_and_validate(headers=bearer, excluded_checks=EXCLUDED_CHECKS)
