"""Throttle counters: one atomic statement per request, so concurrent clients
get exactly the rate through, never more."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection, connections
from django.test import Client, override_settings
from django.utils import timezone

from api.models import ThrottleWindow
from api.throttling import count_request

RATES = {"user": "600/minute", "anonymous": "600/minute", "tracking": "30/minute"}


@pytest.mark.django_db(transaction=True)
def test_concurrent_clients_get_exactly_the_limit_through():
    clients, requests_each = 16, 5
    start = threading.Barrier(clients)

    def client_run(_):
        client = Client(REMOTE_ADDR="203.0.113.50")
        start.wait()
        try:
            return [client.get("/api/v1/track/EE473124829US/").status_code for _ in range(requests_each)]
        finally:
            connections.close_all()

    with override_settings(API_THROTTLE_RATES=RATES), ThreadPoolExecutor(clients) as pool:
        statuses = [status for run in pool.map(client_run, range(clients)) for status in run]
    # Through the throttle: 404 (no such parcel); refused: 429.
    assert statuses.count(404) == 30
    assert statuses.count(429) == clients * requests_each - 30


def test_one_statement_per_request(db, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert count_request("throttle_tracking_192.0.2.1", 60)[0] == 1
    hits, seconds_left = count_request("throttle_tracking_192.0.2.1", 60)
    assert hits == 2
    assert 59 < seconds_left <= 60


def test_a_window_that_ended_starts_again(db):
    ThrottleWindow.objects.create(key="client", hits=99, expires=timezone.now() - timedelta(seconds=1))
    hits, seconds_left = count_request("client", 60)
    assert hits == 1
    assert seconds_left > 59


def test_requests_clear_expired_windows(db):
    past = timezone.now() - timedelta(minutes=5)
    ThrottleWindow.objects.bulk_create(ThrottleWindow(key=f"old-{n}", hits=1, expires=past) for n in range(3))
    count_request("fresh", 60)
    assert list(ThrottleWindow.objects.values_list("key", flat=True)) == ["fresh"]


def test_a_long_client_address_is_counted_not_a_500(api_client, db):
    # Behind a trusted proxy the address comes from X-Forwarded-For, which has no length limit.
    with override_settings(REST_FRAMEWORK={**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}):
        response = api_client.get("/api/v1/track/EE473124829US/", HTTP_X_FORWARDED_FOR="x" * 5000)
    assert response.status_code == 404
    with connection.cursor() as cursor:
        cursor.execute("SELECT max(length(key)) FROM api_throttlewindow")
        assert cursor.fetchone()[0] > 5000
