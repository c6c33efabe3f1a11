"""DRF's exception handler (REST_FRAMEWORK["EXCEPTION_HANDLER"]): every error
a view raises, in the one error shape of api.errors.

Field errors always come back the same way, whichever layer found them (a
serializer, a nested serializer, a filter, a rule of shipments.rules): ``details``
maps a field's path, dotted for nested fields (``sender.address.city``), to a
list of messages."""

import math

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.settings import api_settings

from shipments.exceptions import ShipmentError

from .errors import error_body


def field_errors(detail, path: str = "") -> dict[str, list[str]]:
    """``{"sender.address.city": ["This field is required."]}`` from DRF's nested
    errors (dicts of lists, lists of dicts for lists of objects) or a service's
    ``{"sender.phone": "..."}``. A nested serializer's own errors (its
    ``non_field_errors``) belong to its path; the top level's keep that key."""
    errors: dict[str, list[str]] = {}

    def add(at: str, messages: list[str]) -> None:
        if messages:
            errors.setdefault(at or api_settings.NON_FIELD_ERRORS_KEY, []).extend(messages)

    if isinstance(detail, dict):
        for key, value in detail.items():
            nested_own_errors = key == api_settings.NON_FIELD_ERRORS_KEY and path
            child = path if nested_own_errors else (f"{path}.{key}" if path else str(key))
            for at, messages in field_errors(value, child).items():
                add(at, messages)
    elif isinstance(detail, list | tuple):
        messages = []
        for index, item in enumerate(detail):
            if isinstance(item, dict | list | tuple):
                for at, nested in field_errors(item, f"{path}.{index}" if path else str(index)).items():
                    add(at, nested)
            else:
                messages.append(str(item))
        add(path, messages)
    elif detail is not None:
        add(path, [str(detail)])
    return errors


def _code_of(exc: exceptions.APIException) -> str:
    # A code given at the raise site (e.g. "invalid_token") is more useful than the class default.
    detail_code = getattr(exc.detail, "code", None)
    return detail_code if isinstance(detail_code, str) and detail_code else exc.default_code


def api_exception_handler(exc, context):
    if isinstance(exc, ShipmentError):
        details = field_errors(exc.details) if exc.details_name_fields else exc.details
        return Response(error_body(exc.code, exc.message, details), status=exc.http_status)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    if not isinstance(exc, exceptions.APIException):
        return None  # A bug: let Django report it as a 500.

    code, message, details, headers = _code_of(exc), str(exc.detail), {}, {}
    if isinstance(exc, exceptions.ValidationError):
        code, message = "invalid", "Please correct the highlighted fields."
        details = field_errors(exc.detail)
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
