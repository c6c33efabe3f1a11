"""DRF's exception handler (REST_FRAMEWORK["EXCEPTION_HANDLER"]): every error
a view raises, in the one error shape of api.errors."""

import math

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from rest_framework import exceptions
from rest_framework.response import Response

from shipments.exceptions import ShipmentError

from .errors import error_body


def _code_of(exc: exceptions.APIException) -> str:
    # A code given at the raise site (e.g. "invalid_token") is more useful than the class default.
    detail_code = getattr(exc.detail, "code", None)
    return detail_code if isinstance(detail_code, str) and detail_code else exc.default_code


def api_exception_handler(exc, context):
    if isinstance(exc, ShipmentError):
        return Response(error_body(exc.code, exc.message, exc.details), status=exc.http_status)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    if not isinstance(exc, exceptions.APIException):
        return None  # A bug: let Django report it as a 500.

    code, message, details, headers = _code_of(exc), str(exc.detail), {}, {}
    if isinstance(exc, exceptions.ValidationError):
        code, message = "invalid", "Please correct the highlighted fields."
        details = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
    if isinstance(exc, exceptions.Throttled):
        message = "Too many requests; please slow down."
        if exc.wait is not None:
            wait = math.ceil(exc.wait)
            details = {"retry_after_seconds": wait}
            headers["Retry-After"] = str(wait)
    auth_header = getattr(exc, "auth_header", None)
    if auth_header:
        headers["WWW-Authenticate"] = auth_header
    return Response(error_body(code, message, details), status=exc.status_code, headers=headers)
