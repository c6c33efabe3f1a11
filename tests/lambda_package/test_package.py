"""The Lambda package, driven through Zappa's handler by AWS's runtime interface
client as Lambda runs it, with the events AWS sends: a ``zappa manage`` command,
API Gateway requests, an EventBridge schedule and an S3 upload.

The tests run in this file's order and share one deployment (conftest.py): the
database starts empty and the first thing anyone does is migrate, as after a
first deploy. Each test says what the caller (an operator, a browser, the
frontend, AWS) sees.
"""

import csv
import io
import json
import re
import time
from base64 import b32decode

import pytest
from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver

from tests.helpers import IMPORT_DATA

from .deployment import HQ_PASSWORD, Deployment

pytestmark = pytest.mark.lambda_package

HQ = "hq"
# What in a function's log means trouble: errors logged by Zappa (logging's
# default format) or the runtime client, Django's 500s, Zappa's failed imports,
# and notifications that failed after a commit. (A 4xx is logged as a warning,
# with its traceback: those are answers, not trouble.)
PROBLEM = re.compile(
    r"^(ERROR|CRITICAL):|\[(ERROR|CRITICAL)\]|Internal Server Error|Failed to import|Delivery after commit failed"
)
CLERK = "clerk.jfk"


def manage(deployment: Deployment, command: str):
    """`zappa manage <worker stage> "<command>"`: the event Zappa's CLI sends."""
    return deployment.worker.call({"manage": command})


def s3_put_event(deployment: Deployment, key: str, size: int) -> dict:
    """The event S3 sends the worker for an upload (its notification's Id is
    the function's name, as Zappa configures it)."""
    return {
        "Records": [
            {
                "eventVersion": "2.1",
                "eventSource": "aws:s3",
                "awsRegion": "us-east-1",
                "eventTime": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime()),
                "eventName": "ObjectCreated:Put",
                "userIdentity": {"principalId": "AWS:AIDAEXAMPLE"},
                "requestParameters": {"sourceIPAddress": "203.0.113.20"},
                "responseElements": {"x-amz-request-id": "EXAMPLE", "x-amz-id-2": "EXAMPLE"},
                "s3": {
                    "s3SchemaVersion": "1.0",
                    "configurationId": deployment.worker_stage.lambda_name,
                    "bucket": {
                        "name": deployment.drop_bucket,
                        "ownerIdentity": {"principalId": "EXAMPLE"},
                        "arn": f"arn:aws:s3:::{deployment.drop_bucket}",
                    },
                    "object": {"key": key.replace(" ", "+"), "size": size, "eTag": "0" * 32, "sequencer": "0A1B2C3D"},
                },
            }
        ]
    }


def scheduled_event(deployment: Deployment, function: str) -> dict:
    """What EventBridge sends on the schedule Zappa made for ``function``."""
    return {
        "version": "0",
        "id": "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa",
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "123456789012",
        "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "region": "us-east-1",
        "resources": [deployment.worker_stage.schedule_rule_arn(function)],
        "detail": {},
    }


def upload(deployment: Deployment, key: str, body: bytes) -> dict:
    deployment.aws("s3").put_object(Bucket=deployment.drop_bucket, Key=key, Body=body)
    return s3_put_event(deployment, key, len(body))


def totp(key_base32: str) -> str:
    from django_otp.oath import totp as code

    return f"{code(b32decode(key_base32)):06d}"


def topic_messages(deployment: Deployment) -> list[dict]:
    """Everything published to the notifications topic so far (read by its SQS subscriber)."""
    sqs = deployment.aws("sqs")
    messages = []
    while batch := sqs.receive_message(QueueUrl=deployment.topic_queue_url, MaxNumberOfMessages=10).get("Messages"):
        for message in batch:
            messages.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=deployment.topic_queue_url, ReceiptHandle=message["ReceiptHandle"])
    return messages


def get_urls_without_arguments(prefix: str) -> list[str]:
    """Every URL of the URL conf under ``prefix`` that takes no argument."""

    def walk(patterns, route):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, route + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                yield route + str(pattern.pattern)

    return sorted(
        "/" + route for route in walk(get_resolver().url_patterns, "") if route.startswith(prefix) and "<" not in route
    )


@pytest.fixture(scope="session")
def hq_browser(deployment):
    """HQ, created on the worker and signed in to the admin with password and
    two-factor code, as the deploy guide has the first HQ user do."""
    assert manage(deployment, f"createsuperuser --noinput --username {HQ} --email hq@example.com") == {}
    assert manage(deployment, f"add_totp_device {HQ} --no-qr") == {}
    key = re.findall(r"Or type the key by hand: ([A-Z2-7]+) ", deployment.worker.log())[-1]
    browser = deployment.browser()
    page = browser.get("/admin/login/")
    response = browser.post(
        "/admin/login/",
        form={
            **browser.hidden_fields(page),
            "username": HQ,
            "password": HQ_PASSWORD,
            "otp_token": totp(key),
        },
    )
    assert response.status == 302, response.text[:2000]
    assert browser.path_of(response.header("Location")) == "/admin/"
    return browser


# --- the package itself -------------------------------------------------------------------


def test_the_package_holds_zappas_settings_for_its_stage(deployment):
    """What Zappa generates for the stage is what the zip has (so the worker's
    package, which differs only there, is exactly what `zappa deploy` makes)."""
    packaged = (deployment.web.task_root / "zappa_settings.py").read_text()
    assert packaged == deployment.web_stage.settings_py


# --- a fresh database: migrate, then every page ---------------------------------------------


def test_migrate_is_a_zappa_manage_command_on_the_migrations_function(deployment):
    # The deploy guide's command, as `zappa manage <stage>_migrations "migrate --database migrations"` sends it.
    assert deployment.migrations.call({"manage": "migrate --database migrations --noinput"}) == {}
    assert "Applying shipments.0001_initial... OK" in deployment.migrations.log()
    # The functions that answer requests and read files never hold the owner's URL.
    assert "DATABASE_MIGRATION_URL" in deployment.migrations.environment
    assert "DATABASE_MIGRATION_URL" not in deployment.worker.environment
    assert "DATABASE_MIGRATION_URL" not in deployment.web.environment
    assert deployment.query("SELECT count(*) FROM django_migrations")[0][0] > 10


def test_healthz(deployment):
    response = deployment.browser().get("/healthz")
    assert (response.status, response.json()) == (200, {"status": "ok", "database": "ok"})
    assert deployment.proxy.tls_connections >= 2  # the web function's and the worker's, both over TLS
    assert deployment.proxy.refused_plaintext == 0


def test_the_admin_login_page_with_static_files_from_the_stages_bucket(deployment):
    response = deployment.browser().get("/admin/login/")
    assert response.status == 200
    bucket = re.escape(deployment.static_bucket)
    assert re.search(
        rf'href="https://{bucket}\.s3\.amazonaws\.com/static/admin/css/base(\.[0-9a-f]+)?\.css"', response.text
    )
    assert f"https://{deployment.static_bucket}.s3.amazonaws.com" in response.header("Content-Security-Policy")
    # Zappa's script name: every link the page makes carries the stage.
    assert f'action="/{deployment.web_stage.name}/admin/login/' in response.text


def test_after_migrate_alone_every_admin_page_and_api_list_answers_hq(deployment, hq_browser):
    # The admin's autocomplete answers its select widgets, which always send what they look up.
    select_widget = {"app_label": "shipments", "model_name": "package", "field_name": "destination_office", "term": "A"}
    statuses = {
        url: hq_browser.get(url, query=select_widget if url == "/admin/autocomplete/" else None).status
        for url in get_urls_without_arguments("admin/")
    }
    statuses |= {url: hq_browser.get(url).status for url in get_urls_without_arguments("api/v1/")}
    statuses["/track/"] = hq_browser.get("/track/").status
    assert not {url: status for url, status in statuses.items() if status >= 500}
    changelists = [f"/admin/{model._meta.app_label}/{model._meta.model_name}/" for model in admin.site._registry]
    assert {url: statuses[url] for url in changelists} == dict.fromkeys(changelists, 200)
    for url in ("/admin/", "/api/v1/packages/", "/api/v1/offices/", "/api/v1/schema/", "/api/v1/docs/", "/track/"):
        assert statuses[url] == 200, url


# --- a network, made through the functions -----------------------------------------------------


def test_hq_sets_the_tariffs_in_the_admin(deployment, hq_browser):
    for service in ("standard", "express", "overnight"):
        form = hq_browser.get("/admin/shipments/tariff/add/")
        assert form.status == 200
        response = hq_browser.post(
            "/admin/shipments/tariff/add/",
            form={
                **hq_browser.hidden_fields(form),
                "service": service,
                "transit_days": "3",
                "currency": "USD",
                "base_fee": "5.00",
                "per_kg": "1.00",
                "per_km": "0.0100",
                "insurance_rate": "0.0100",
                "surcharge_rate": "0.1000",
                "tax_rate": "0.2000",
                "return_fee": "4.00",
                "cod_fee": "2.50",
                "_save": "Save",
            },
        )
        assert response.status == 302, response.text[:3000]
    listing = hq_browser.get("/admin/shipments/tariff/")
    services = re.findall(r'class="field-service"[^>]*>(?:<a [^>]*>)?([^<]+)<', listing.text)
    assert sorted(services) == ["Express", "Overnight", "Standard"]


def test_an_office_list_dropped_in_the_bucket_is_imported(deployment, hq_browser):
    body = (IMPORT_DATA / "offices.csv").read_bytes()
    outcomes = deployment.worker.call(upload(deployment, "imports/offices/network plan.csv", body))
    location = f"s3://{deployment.drop_bucket}/imports/offices/network plan.csv"
    assert [(outcome["source"], outcome["finished"]) for outcome in outcomes] == [(location, True)]
    assert "created 18" in outcomes[0]["summary"]
    offices = hq_browser.get("/api/v1/offices/").json()
    assert {"JFK01", "LAX01"} <= {office["code"] for office in offices["results"]}


def test_a_package_list_dropped_in_the_bucket_is_imported(deployment, hq_browser):
    body = (IMPORT_DATA / "packages.csv").read_bytes()
    outcomes = deployment.worker.call(upload(deployment, "imports/packages/march.csv", body))
    assert outcomes[0]["finished"] is True
    assert "created 4" in outcomes[0]["summary"]
    package = hq_browser.get("/api/v1/packages/EE473124829DE/")
    assert (package.status, package.json()["status"]) == (200, "created")


def test_a_clerk_made_on_the_worker_registers_a_package_with_a_cognito_token(deployment):
    assert manage(deployment, f"add_clerk {CLERK} --office JFK01 --email clerk@example.com") == {}
    tokens = deployment.cognito["tokens_for"](CLERK)
    frontend = deployment.browser()
    response = frontend.post(
        "/api/v1/packages/",
        json={
            "origin_office": "JFK01",
            "destination_office": "LAX01",
            "service": "standard",
            "weight_grams": 2500,
            "length_cm": 30,
            "width_cm": 20,
            "height_cm": 10,
            "declared_value": "120.00",
            "currency": "USD",
            "accept": True,
            "payment": {"method": "card", "reference": "AUTH-1", "card_last4": "4242"},
            "sender": {
                "name": "Sam Sender",
                "email": "sam@example.com",
                "address": {"line1": "1 Elm St", "city": "New York", "country": "US"},
                "notify_email": True,
            },
            "receiver": {
                "name": "Rita Receiver",
                "address": {"line1": "9 Oak Ave", "city": "Los Angeles", "country": "US"},
            },
        },
        headers={"Authorization": f"Bearer {tokens['access']}"},
    )
    assert response.status == 201, response.text
    assert frontend.cookies == {}, "a token call makes no session"
    package = response.json()
    assert (package["status"], package["origin_office"], package["destination_office"]) == (
        "accepted",
        "JFK01",
        "LAX01",
    )
    assert [event["recorded_by"] for event in package["events"]] == [CLERK, CLERK]
    # The ID token works too, and the package is the clerk's to see.
    mine = frontend.get(
        f"/api/v1/packages/{package['tracking_number']}/", headers={"Authorization": f"Bearer {tokens['id']}"}
    )
    assert (mine.status, mine.json()["tracking_number"]) == (200, package["tracking_number"])
    # Delivered after the request, within it: the topic heard of both events.
    published = [
        message for message in topic_messages(deployment) if message["tracking_number"] == package["tracking_number"]
    ]
    assert sorted(message["status"] for message in published) == ["accepted", "created"]

    tracking = deployment.browser().get(f"/api/v1/track/{package['tracking_number']}/")
    assert tracking.status == 200
    assert tracking.json()["status"] == "accepted"
    assert "Sam Sender" not in tracking.text, "public tracking shows no personal data"


def test_the_scheduled_dispatcher_sends_what_an_import_queued(deployment):
    # An operator's import with notifications (`import_events ... --notify`): queued, not sent.
    # (Without the cancellation, the other package is accepted in March: overdue now.)
    rows = list(csv.reader((IMPORT_DATA / "events.csv").open()))
    events = io.StringIO()
    csv.writer(events).writerows([row for row in rows if row[:2] != ["CP100000017DE", "cancelled"]])
    deployment.aws("s3").put_object(Bucket=deployment.drop_bucket, Key="manual/events.csv", Body=events.getvalue())
    assert manage(deployment, f"import_events s3://{deployment.drop_bucket}/manual/events.csv --notify") == {}
    assert topic_messages(deployment) == []

    result = deployment.worker.call(scheduled_event(deployment, "notifications.services.dispatch_due"))
    assert result["errors"] == 0
    published = sorted((message["tracking_number"], message["status"]) for message in topic_messages(deployment))
    assert published == sorted(
        [("CP100000017DE", "accepted")]
        + [
            ("EE473124829DE", status)
            for status in ("accepted", "in_transit", "arrived", "out_for_delivery", "delivered")
        ]
    )
    # The topic's six, and the SMS and emails the parties asked for.
    assert result["sent"] > len(published)
    # Nothing is left for the next run.
    again = deployment.worker.call(scheduled_event(deployment, "notifications.services.dispatch_due"))
    assert again == {"sent": 0, "skipped": 0, "errors": 0}


def test_the_scheduled_delay_check_flags_the_overdue_package(deployment):
    result = deployment.worker.call(scheduled_event(deployment, "notifications.delays.detect_delays"))
    assert result == {"recorded": 1, "skipped": 0}
    assert [(message["tracking_number"], message["status"]) for message in topic_messages(deployment)] == [
        ("CP100000017DE", "delayed")
    ]


def test_pages_of_the_imported_network_answer_hq(deployment, hq_browser):
    office_id = deployment.query("SELECT id FROM offices_office WHERE code = 'JFK01'")[0][0]
    package_id = deployment.query("SELECT id FROM shipments_package WHERE tracking_number = 'EE473124829DE'")[0][0]
    for url in (
        "/admin/",
        "/admin/shipments/package/",
        f"/admin/shipments/package/{package_id}/change/",
        f"/admin/offices/office/{office_id}/change/",
        "/admin/notifications/notification/",
        "/admin/shipments/package/report/all-offices/",
        "/api/v1/packages/EE473124829DE/",
        "/api/v1/offices/JFK01/",
        "/api/v1/reports/costs/",
    ):
        response = hq_browser.get(url)
        assert response.status == 200, (url, response.status, response.text[:1000])
    page = hq_browser.get("/track/", query={"number": "EE473124829DE"})
    assert page.status == 200
    assert "Delivered" in page.text


# --- what the functions did to their machine ---------------------------------------------------


def test_nothing_was_written_outside_tmp_and_nothing_went_wrong(deployment):
    from .runtime import tree_state

    for root, before in deployment.task_state_before.items():
        assert tree_state(root) == before, f"{root} changed"
    for function in (deployment.web, deployment.worker, deployment.migrations):
        lines = function.log().splitlines()
        problems = ["\n".join(lines[number : number + 12]) for number, line in enumerate(lines) if PROBLEM.search(line)]
        assert not problems, f"{function.name}:\n" + "\n---\n".join(problems)
