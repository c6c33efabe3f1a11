"""Notifications: topic delivery to moto's server over HTTP, the outbox's cost
on one ``package_record_event``, and the ETA watch on the 1M database.

Keys:
- ``notifications_publish_calls_per_100``: SNS calls to deliver 100 due topic
  messages (goal ≤ 10: PublishBatch of 10).
- ``notifications_dispatch_per_s``: due topic messages delivered per second.
- ``webhook_deliveries_per_s``: due partner webhook messages (signed, one
  package each) delivered per second to a local receiver (http.server on
  127.0.0.1, keep-alive), measured in the same run as the topic's (goal: at
  least ``notifications_dispatch_per_s``).
- ``record_event_ms_outbox`` / ``record_event_ms_plain``: one
  ``package_record_event`` (an acceptance) with the post_save receiver
  connected (``log`` backend) and disconnected, alternating event by event
  (goal: outbox ≤ 1.5× plain). Timed inside a request's delivery batch, as the
  admin and the API run it: the delivery itself happens once per request,
  after the timer (the dispatch keys above measure it).
- ``detect_delays_ms_1m``: one run with nothing new to record. The overdue
  backlog of the generated data is first flagged in bulk SQL (what the first
  runs would record, without their notifications), then a run is timed.
"""

import logging
import socket
import time

TOPIC_ROWS = 1000
WEBHOOK_ROWS = 1000


def _moto():
    from moto.server import ThreadedMotoServer

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    return server, f"http://127.0.0.1:{port}"


def _due_topic_rows(count: int) -> None:
    from notifications.models import Notification
    from shipments.models import TrackingEvent

    events = list(TrackingEvent.objects.select_related("package").order_by("-id")[:count])
    Notification.objects.bulk_create(
        Notification(package=event.package, event=event, status=event.status, channel="topic", recipient="topic")
        for event in events
    )


def _topic(endpoint: str) -> dict:
    import os

    import boto3
    from django.test import override_settings

    from notifications import backends

    os.environ.update(
        AWS_ENDPOINT_URL=endpoint,
        AWS_ACCESS_KEY_ID="bench",
        AWS_SECRET_ACCESS_KEY="bench",  # noqa: S106 (moto's, not a secret)
        AWS_DEFAULT_REGION="us-east-1",
    )
    backends.client.cache_clear()
    arn = boto3.client("sns", region_name="us-east-1", endpoint_url=endpoint).create_topic(Name="bench")["TopicArn"]
    results = {}
    with override_settings(NOTIFICATIONS_BACKEND="aws", NOTIFICATIONS_TOPIC_ARN=arn):
        from notifications.models import Notification
        from notifications.services import dispatch_due

        Notification.objects.filter(state="pending").update(state="skipped")  # earlier runs' leftovers
        calls = []
        sns = backends.client("sns", "dispatcher")
        sns.meta.events.register("before-call.sns.*", lambda **kwargs: calls.append(kwargs["model"].name))
        _due_topic_rows(100)
        dispatch_due()
        results["notifications_publish_calls_per_100"] = len(calls)

        _due_topic_rows(TOPIC_ROWS)
        started = time.perf_counter()
        totals = dispatch_due(limit=TOPIC_ROWS)
        elapsed = time.perf_counter() - started
        if totals["sent"] != TOPIC_ROWS:
            raise RuntimeError(f"dispatch sent {totals}")
        results["notifications_dispatch_per_s"] = round(TOPIC_ROWS / elapsed)
    backends.client.cache_clear()
    return results


def _receiver():
    """A partner's endpoint on 127.0.0.1 that answers 200 to every POST, connections kept open."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body are two writes: no delayed-ACK stall between them

        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _webhooks() -> dict:
    """WEBHOOK_ROWS due messages, each of another package (as a day's scans are), delivered by the dispatcher."""
    from django.test import override_settings

    from shipments.models import TrackingEvent
    from webhooks import client
    from webhooks.delivery import dispatch_due
    from webhooks.models import Message, Subscription
    from webhooks.services import subscription_create

    server = _receiver()
    try:
        with override_settings(WEBHOOK_ALLOWED_NETWORKS=["127.0.0.1/32"]):
            Subscription.objects.all().delete()  # earlier runs' leftovers
            subscription = subscription_create(url=f"http://127.0.0.1:{server.server_address[1]}/hooks")
            events = TrackingEvent.objects.order_by("package_id", "-id").distinct("package_id")[:WEBHOOK_ROWS]
            Message.objects.bulk_create(
                Message(
                    subscription=subscription,
                    webhook_id=f"msg_bench{event.pk}",
                    package_id=event.package_id,
                    event=event,
                    event_type=f"package.{event.status}",
                )
                for event in events
            )
            due = Message.objects.filter(state="pending").count()
            started = time.perf_counter()
            totals = dispatch_due(limit=due)
            elapsed = time.perf_counter() - started
            if totals["sent"] != due:
                raise RuntimeError(f"webhook dispatch sent {totals} of {due}")
            subscription.delete()
    finally:
        server.shutdown()
        server.server_close()
        client.close_pools()
    return {"webhook_deliveries_per_s": round(due / elapsed)}


def _registered(count: int) -> list:
    """Fresh packages to accept, each sender and receiver asking for SMS and email."""
    from decimal import Decimal

    from offices.models import Office
    from shipments.pricing import PriceList
    from shipments.services import package_register
    from shipments.values import Address, Parcel, Party

    origin, destination = Office.objects.filter(is_active=True).select_related("location").order_by("code")[:2]
    price_list = PriceList.load()
    address = Address(line1="1 Bench Way", city=destination.location.city, country="US")
    party = Party(
        name="Bench Party",
        address=address,
        phone="+12125550142",
        email="bench@example.com",
        notify_sms=True,
        notify_email=True,
    )
    parcel = Parcel(
        origin_office=origin,
        destination_office=destination,
        service="standard",
        weight_grams=1000,
        length_cm=10,
        width_cm=10,
        height_cm=10,
        declared_value=Decimal(0),
    )
    return [
        package_register(actor=None, parcel=parcel, sender=party, receiver=party, price_list=price_list)
        for _ in range(count)
    ]


def _record_event(pairs: int = 150, warmup: int = 4) -> dict:
    """Median of each mode over ``pairs`` events each, alternating event by
    event (outbox then plain, then plain then outbox, ...): on a shared machine
    the load changes within a second, and two events side by side see the same."""
    from django.db.models.signals import post_save

    from notifications.receivers import enqueue_for_event
    from notifications.services import batched_delivery
    from shipments.models import TrackingEvent
    from shipments.services import package_record_event

    created = _registered(2 * (pairs + warmup))
    uid = "notifications.enqueue_for_event"
    samples: dict[str, list[float]] = {"outbox": [], "plain": []}

    def accept(package) -> float:
        with batched_delivery():
            started = time.perf_counter()
            package_record_event(package=package, status="accepted", office=package.origin_office)
            return (time.perf_counter() - started) * 1000

    for index in range(warmup + pairs):
        for mode in ("outbox", "plain") if index % 2 == 0 else ("plain", "outbox"):
            if mode == "plain":
                post_save.disconnect(sender=TrackingEvent, dispatch_uid=uid)
            try:
                took = accept(created.pop())
            finally:
                post_save.connect(enqueue_for_event, sender=TrackingEvent, dispatch_uid=uid)
            if index >= warmup:
                samples[mode].append(took)
    return {f"record_event_ms_{mode}": round(sorted(values)[len(values) // 2], 2) for mode, values in samples.items()}


def _detect_delays(bench) -> dict:
    from django.db import connection
    from django.utils import timezone

    from notifications.delays import DELAYABLE, detect_delays

    now = timezone.now()
    with connection.cursor() as cursor:
        # The backlog the first runs would flag: a delayed event each, the package delayed.
        cursor.execute(
            """
            WITH overdue AS (
                UPDATE shipments_package SET status = 'delayed', updated_at = %s
                WHERE status = ANY(%s) AND expected_delivery_at < %s + interval '1 hour'
                RETURNING id, current_office_id, expected_delivery_at
            )
            INSERT INTO shipments_trackingevent
                (package_id, status, office_id, occurred_at, recorded_at, source, note, reason, received_by)
            SELECT id, 'delayed', current_office_id, GREATEST(%s, expected_delivery_at), %s, 'system', '',
                   'eta_passed', ''
            FROM overdue
            """,
            # An hour ahead: ETAs that pass while this runs (ANALYZE takes seconds) are flagged too.
            [now, DELAYABLE, now, now, now],
        )
        cursor.execute("ANALYZE shipments_package")
    if detect_delays(limit=10)["recorded"]:
        raise RuntimeError("detect_delays found something new after the backlog was flagged")
    return {"detect_delays_ms_1m": bench.timed_ms(lambda: detect_delays(limit=10), repeat=10, warmup=2)}


def run(bench) -> dict:
    logging.getLogger("notifications").setLevel(logging.WARNING)
    bench.use("1k")
    server, endpoint = _moto()
    try:
        results = _topic(endpoint)
    finally:
        server.stop()
    results.update(_webhooks())
    results.update(_record_event())
    bench.use("1m")
    results.update(_detect_delays(bench))
    return results
