"""Production's log lines: JSON with the request id, for CloudWatch."""

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

from tests.helpers import PRODUCTION_ENV

ROOT = Path(__file__).resolve().parent.parent.parent

# A request through the whole middleware stack under the production settings,
# as Zappa hands it over (its Lambda context in the WSGI environ), logging one line.
LOG_A_REQUEST = """
import django, logging
django.setup()
from types import SimpleNamespace
from django.test import Client
from django.urls import path
import config.urls

def view(request):
    from django.http import HttpResponse
    logging.getLogger("shipments").warning("scan refused", extra={"tracking_number": "PN123"})
    return HttpResponse("ok")

config.urls.urlpatterns.insert(0, path("log-me/", view))
context = SimpleNamespace(aws_request_id="c0ffee-1234")
response = Client(HTTP_HOST="api.example.com").get("/log-me/", secure=True, **{"lambda.context": context})
print("X-Request-Id:", response["X-Request-Id"], flush=True)
"""


def test_production_logs_one_json_object_per_line_with_the_lambda_request_id():
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "DATABASE_"))}
    env |= PRODUCTION_ENV | {"DJANGO_ALLOWED_HOSTS": "api.example.com"}
    result = subprocess.run(  # noqa: S603 (our own interpreter and code)
        [sys.executable, "-c", LOG_A_REQUEST], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    logged = next(line for line in lines if line["message"] == "scan refused")
    assert logged["level"] == "WARNING"
    assert logged["logger"] == "shipments"
    assert logged["request_id"] == "c0ffee-1234"
    assert logged["tracking_number"] == "PN123"
    assert "X-Request-Id: c0ffee-1234" in result.stdout


def test_a_log_line_outside_a_request_has_no_request_id_and_keeps_the_exception():
    from api.logs import JsonFormatter

    try:
        raise ValueError("bad row")
    except ValueError:
        record = logging.LogRecord("imports", logging.ERROR, __file__, 1, "row %s failed", (7,), sys.exc_info())
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "row 7 failed"
    assert line["request_id"] is None
    assert "ValueError: bad row" in line["exception"]


def test_every_response_names_its_request_id(client):
    first = client.get("/healthz")["X-Request-Id"]
    second = client.get("/healthz")["X-Request-Id"]
    assert len(first) == len(second) == 32
    assert first != second


def test_production_keeps_the_aws_sdks_chatter_out_of_the_logs():
    code = (
        "import django, logging; django.setup(); "
        "logging.getLogger('botocore.credentials').info('Found credentials in environment variables.'); "
        "logging.getLogger('imports').info('progress: 1000 rows')"
    )
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "DATABASE_"))}
    env |= PRODUCTION_ENV
    result = subprocess.run(  # noqa: S603 (our own interpreter and code)
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    messages = [json.loads(line)["message"] for line in result.stdout.splitlines()]
    assert messages == ["progress: 1000 rows"]
