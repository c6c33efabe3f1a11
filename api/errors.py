"""One error shape for the whole API:

    {"error": {"code": "...", "message": "...", "details": {...}}}

``code`` is stable and machine-readable, ``message`` is a sentence a clerk can
act on, ``details`` says which fields were wrong (a field's path, dotted for
nested fields, to a list of messages: api.exception_handler.field_errors), or
where the package stands (409), or how long to wait (429).
Domain errors (shipments.exceptions.ShipmentError) carry their own HTTP status.

This module answers errors outside DRF's views (the middlewares, Django's
400/404/500 handlers) with Django alone, so a request that never reaches the
API (/healthz, the admin) does not import DRF and drf-spectacular: a Lambda
cold start pays for every import. DRF's exception handler is in
api/exception_handler.py, the errors' OpenAPI schema in api/schema.py.
"""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string


def error_body(code: str, message: str, details: dict | None = None) -> dict:
    return {"error": {"code": code, "message": message, "details": details or {}}}


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


def permission_denied(request, exception=None):
    """Django's 403 (config.urls.handler403): the error shape under /api/, else
    a page in the admin's frame saying what happened and the way back."""
    if request.path.startswith("/api/"):
        message = str(exception or "") or "You may not do this."
        return JsonResponse(error_body("permission_denied", message), status=403)
    from django.contrib import admin
    from django.template.response import TemplateResponse

    user = getattr(request, "user", None)
    context = {
        **admin.site.each_context(request),
        "title": "Not open to you",
        "message": str(exception or "")
        or "This page is not open to your account. If your work needs it, ask HQ (or your office's manager).",
        "signed_in": bool(user and user.is_authenticated),
    }
    response = TemplateResponse(request, "admin/403.html", context, status=403)
    return response.render()


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
