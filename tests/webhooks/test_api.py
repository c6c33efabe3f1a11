"""The webhook API: HQ's subscriptions with the contract's field names, the
secret shown once, the delivery log, redelivery and the test event."""

import pytest
from standardwebhooks import Webhook

from tests.factories import register_package
from webhooks.delivery import dispatch_due
from webhooks.models import Message, Subscription

from .conftest import time_passes


@pytest.fixture
def hq_client(client_for, hq):
    return client_for(hq)


def test_create_shows_the_secret_once(hq_client, dns, office_a):
    response = hq_client.post(
        "/api/v1/webhooks/",
        {"url": "https://hooks.partner.example/in", "events": ["delivered", "accepted"], "origin_offices": ["AAA01"]},
        format="json",
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert set(created) >= {"id", "url", "events", "origin_offices", "active", "description", "secret"}
    assert created["secret"].startswith("whsec_")
    assert created["events"] == ["accepted", "delivered"]
    assert created["origin_offices"] == ["AAA01"]
    assert created["active"] is True
    shown = hq_client.get(f"/api/v1/webhooks/{created['id']}/").json()
    assert "secret" not in shown
    assert created["secret"] not in hq_client.get("/api/v1/webhooks/").content.decode()


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"url": "https://169.254.169.254/latest"}, "url", "link-local"),
        ({"url": "https://hooks.partner.example/in", "events": ["teleported"]}, "events.0", "not a valid choice"),
        ({"url": "https://hooks.partner.example/in", "origin_offices": ["NOPE1"]}, "origin_offices", "NOPE1"),
        ({"url": "gopher://hooks.partner.example/in"}, "url", "https://"),
        ({"url": "https://hooks.partner.example/in\u0000"}, "url", ""),
    ],
)
def test_bad_subscriptions_are_400_naming_the_field(hq_client, dns, body, field, message):
    response = hq_client.post("/api/v1/webhooks/", body, format="json")
    assert response.status_code == 400, response.content
    details = response.json()["error"]["details"]
    assert field in details
    assert message in " ".join(details[field])
    assert not Subscription.objects.exists()


def test_change_and_delete(hq_client, dns):
    created = hq_client.post("/api/v1/webhooks/", {"url": "https://hooks.partner.example/in"}, format="json").json()
    url = f"/api/v1/webhooks/{created['id']}/"
    dns.answers["hooks.partner.example"] = ["10.0.0.7"]
    refused = hq_client.patch(url, {"url": "https://hooks.partner.example/v2"}, format="json")
    assert refused.status_code == 400
    assert "private" in refused.json()["error"]["details"]["url"][0]
    changed = hq_client.patch(url, {"active": False, "description": "Paused for maintenance"}, format="json").json()
    assert changed["active"] is False
    assert changed["description"] == "Paused for maintenance"
    assert hq_client.delete(url).status_code == 204
    assert hq_client.get(url).status_code == 404
    assert hq_client.get("/api/v1/webhooks/99999999999999999999999/").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_the_log_redelivery_and_the_test_event(hq_client, receiver, dns, office_a, office_c, tariff):
    created = hq_client.post("/api/v1/webhooks/", {"url": receiver.url}, format="json").json()
    base = f"/api/v1/webhooks/{created['id']}"
    package = register_package(origin=office_a, destination=office_c)
    receiver.script = [(503, 0, {"Retry-After": "1"})]
    dispatch_due()
    time_passes()
    dispatch_due()
    log = hq_client.get(f"{base}/deliveries/").json()["results"]
    assert [(row["attempt"], row["status_code"], row["state"]) for row in log] == [(2, 200, "sent"), (1, 503, "sent")]
    assert set(log[0]) >= {"webhook_id", "attempt", "status_code", "duration_ms", "created_at"}
    assert log[1]["response"] == "answer 503"
    webhook_id = log[0]["webhook_id"]
    assert webhook_id == Message.objects.get(package=package).webhook_id

    # Redeliver one (delivered) message: the same webhook-id again.
    assert hq_client.post(f"{base}/redeliver/", {"webhook_id": webhook_id}, format="json").json() == {"redelivered": 1}
    dispatch_due()
    assert [request.headers["webhook-id"] for request in receiver.requests] == [webhook_id] * 3
    # Every failed message since a time.
    Message.objects.update(state="failed")
    since = hq_client.post(f"{base}/redeliver/", {"since": "2000-01-01T00:00:00Z"}, format="json")
    assert since.json() == {"redelivered": 1}
    both = hq_client.post(f"{base}/redeliver/", {"since": "2000-01-01T00:00:00Z", "webhook_id": "x"}, format="json")
    assert both.status_code == 400
    unknown = hq_client.post(f"{base}/redeliver/", {"webhook_id": "msg_nope"}, format="json")
    assert unknown.json()["error"]["details"] == {"webhook_id": ["Unknown message."]}

    # The test event goes out at once and is verifiable.
    tested = hq_client.post(f"{base}/test/")
    assert tested.status_code == 201
    assert tested.json()["state"] == "sent"
    assert tested.json()["deliveries"][0]["status_code"] == 200
    request = receiver.requests[-1]
    assert Webhook(created["secret"]).verify(request.body, request.headers)["type"] == "webhook.test"

    # Rotation: the new secret shown once, both sign meanwhile.
    rotated = hq_client.post(f"{base}/rotate-secret/").json()
    hq_client.post(f"{base}/test/")
    request = receiver.requests[-1]
    for secret in (created["secret"], rotated["secret"]):
        assert Webhook(secret).verify(request.body, request.headers)["type"] == "webhook.test"


def test_hq_without_its_second_factor_is_refused(client_for, hq, dns, settings):
    settings.TWO_FACTOR_REQUIRED_FOR_HQ = True
    response = client_for(hq).get("/api/v1/webhooks/")
    assert response.status_code == 403
    assert "second factor" in response.json()["error"]["message"]
