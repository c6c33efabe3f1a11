"""One error shape for the whole API:

    {"error": {"code": "...", "message": "...", "details": {...}}}

``code`` is stable and machine-readable, ``message`` is a sentence a clerk can
act on, ``details`` says which fields were wrong (or how long to wait).
Domain errors (shipments.exceptions.ShipmentError) carry their own HTTP status.
"""

import math

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import Http404, HttpResponse, JsonResponse
from django.template.loader import render_to_string
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


def error_response(request, status: int, code: str, message: str, *, title: str) -> HttpResponse:
    """An error answered outside a view: the error shape under /api/, a short
    plain page (templates/error.html) elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse(error_body(code, message), status=status)
    # No request context: the page must render when the session or database cannot be read.
    return HttpResponse(render_to_string("error.html", {"title": title, "message": message}), status=status)


def not_found(request, exception=None):
    """Django's 404 for unknown URLs, in the API's shape (config.urls.handler404)."""
    if request.path.startswith("/api/"):
        return JsonResponse(error_body("not_found", "There is no such API endpoint."), status=404)
    from django.views.defaults import page_not_found

    return page_not_found(request, exception)


def bad_request(request, exception=None):
    """Django's 400 (config.urls.handler400): what Django refuses before any view
    (a body over DATA_UPLOAD_MAX_MEMORY_SIZE, too many fields, a bad host), in
    the API's shape under /api/."""
    if isinstance(exception, RequestDataTooBig):
        limit = f"{settings.DATA_UPLOAD_MAX_MEMORY_SIZE / 2**20:.1f} MiB"
        return error_response(
            request, 413, "too_large", f"The request is too large: send at most {limit}.", title="Too large"
        )
    if isinstance(exception, TooManyFieldsSent | TooManyFilesSent):
        return error_response(request, 400, "invalid", "The request has too many fields.", title="Bad request")
    return error_response(request, 400, "bad_request", "The request could not be understood.", title="Bad request")


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


def server_error(request):
    """Django's 500 (config.urls.handler500). A database that does not answer,
    found by a middleware before any view (the session, the sign-in checks), is
    a 503 to retry, as api.middleware.DatabaseUnavailableMiddleware makes it in
    views; anything else is the plain 500 page (or the error shape under /api/)."""
    import sys

    from django.db import InterfaceError, OperationalError
    from django.views.defaults import server_error as plain_server_error

    from .middleware import DATABASE_UNAVAILABLE_MESSAGE, RETRY_AFTER_SECONDS

    if isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        response = error_response(
            request, 503, "database_unavailable", DATABASE_UNAVAILABLE_MESSAGE, title="Back in a minute"
        )
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    if request.path.startswith("/api/"):
        return JsonResponse(
            error_body("server_error", "Something went wrong on our side; it has been logged."), status=500
        )
    return plain_server_error(request)
