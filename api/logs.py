"""Log lines for CloudWatch: one JSON object per line, with the Lambda request id.

CloudWatch Logs Insights reads JSON fields directly (``filter level = "ERROR"
and request_id = "…"``). The request id is the one Lambda gives the invocation
(API Gateway's requests through Zappa carry it in ``lambda.context``); a local
request gets a fresh one, so the lines of one request still belong together.
Invocations that are not HTTP (schedules, S3 events, ``zappa manage``) take the
runtime's own id when the Lambda runtime interface client has one.
"""

import json
import logging
import sys
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime

from django.http import HttpRequest, HttpResponse

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)

# Standard LogRecord attributes: everything else on a record was passed in `extra=` and is logged as a field.
_RECORD_FIELDS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


def current_request_id() -> str | None:
    known = request_id.get()
    if known:
        return known
    runtime = sys.modules.get("awslambdaric.bootstrap")
    return getattr(runtime, "_GLOBAL_AWS_REQUEST_ID", None)


class RefusalsWithoutTraceback(logging.Filter):
    """Django logs a refused request (403, 404) with the exception's traceback,
    which says nothing about our code and buries real errors in the console and
    CloudWatch: the one line stays, the traceback goes (LOGGING, django.request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if 400 <= getattr(record, "status_code", 0) < 500:
            record.exc_info = None
            record.exc_text = None
        return True


class JsonFormatter(logging.Formatter):
    """``{"time", "level", "logger", "message", "request_id", ...extra, "exception"}`` on one line."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": current_request_id(),
        }
        for key, value in vars(record).items():
            if key not in _RECORD_FIELDS and key not in line:
                line[key] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str, ensure_ascii=False)


class RequestIdMiddleware:
    """Remembers the request's id for the log lines it writes, and answers it in
    ``X-Request-Id`` so a user's report can be matched to the logs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        context = request.META.get("lambda.context")
        identifier = getattr(context, "aws_request_id", None) or uuid.uuid4().hex
        token = request_id.set(identifier)
        try:
            response = self.get_response(request)
        finally:
            request_id.reset(token)
        response["X-Request-Id"] = identifier
        return response
