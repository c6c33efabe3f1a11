"""One error shape for the whole API:

    {"error": {"code": "...", "message": "...", "details": {...}}}

``code`` is stable and machine-readable, ``message`` is a sentence a clerk can
act on, ``details`` says which fields were wrong (or how long to wait).
Domain errors (shipments.exceptions.ShipmentError) carry their own HTTP status.
"""

import math

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, JsonResponse
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.response import Response

from shipments.exceptions import ShipmentError


def error_body(code: str, message: str, details: dict | None = None) -> dict:
    return {"error": {"code": code, "message": message, "details": details or {}}}


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


def not_found(request, exception=None):
    """Django's 404 for unknown URLs, in the API's shape (config.urls.handler404)."""
    if request.path.startswith("/api/"):
        return JsonResponse(error_body("not_found", "There is no such API endpoint."), status=404)
    from django.views.defaults import page_not_found

    return page_not_found(request, exception)


# For the OpenAPI schema: every error response has this body.
ErrorSerializer = inline_serializer(
    "Error",
    fields={
        "error": inline_serializer(
            "ErrorBody",
            fields={
                "code": serializers.CharField(),
                "message": serializers.CharField(),
                "details": serializers.DictField(),
            },
        )
    },
)


def error_responses(*statuses: int) -> dict:
    descriptions = {
        400: "Invalid input",
        401: "Not signed in, or the token is not valid",
        403: "Signed in but not allowed",
        404: "Unknown, or not visible to you",
        409: "Not possible in the package's current state",
        429: "Throttled",
    }
    return {status: OpenApiResponse(ErrorSerializer, description=descriptions[status]) for status in statuses}
