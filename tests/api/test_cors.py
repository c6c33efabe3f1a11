"""The frontend on its own origin calls the API from the browser (CORS)."""

import pytest
from django.test import override_settings

FRONTEND = "https://app.example.com"

pytestmark = pytest.mark.django_db


@override_settings(CORS_ALLOWED_ORIGINS=[FRONTEND])
def test_the_frontend_may_send_a_token_and_read_the_answer(client):
    preflight = client.options(
        "/api/v1/packages/",
        HTTP_ORIGIN=FRONTEND,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization, content-type",
    )
    assert preflight.status_code == 200
    assert preflight["Access-Control-Allow-Origin"] == FRONTEND
    assert "authorization" in preflight["Access-Control-Allow-Headers"]
    assert "POST" in preflight["Access-Control-Allow-Methods"]

    answer = client.get("/api/v1/packages/", HTTP_ORIGIN=FRONTEND)
    assert answer.status_code == 401  # no token: the browser may still read why
    assert answer["Access-Control-Allow-Origin"] == FRONTEND
    assert "X-Request-Id" in answer["Access-Control-Expose-Headers"]
    assert "Access-Control-Allow-Credentials" not in answer


@override_settings(CORS_ALLOWED_ORIGINS=[FRONTEND])
def test_another_origin_and_the_admin_get_no_cors_headers(client):
    assert "Access-Control-Allow-Origin" not in client.get("/api/v1/packages/", HTTP_ORIGIN="https://evil.example")
    assert "Access-Control-Allow-Origin" not in client.get("/admin/login/", HTTP_ORIGIN=FRONTEND)


def test_production_refuses_a_frontend_origin_without_https():
    from tests.test_platform import _production

    result = _production("print('started')", DJANGO_CORS_ALLOWED_ORIGINS="http://app.example.com")
    assert result.returncode != 0
    assert "https://" in result.stderr
    assert _production("print('started')", DJANGO_CORS_ALLOWED_ORIGINS=FRONTEND).stdout.strip() == "started"
