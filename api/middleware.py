"""Site-wide guards that answer before any view: bad input that no page
accepts, and a database that does not answer. Under /api/ they answer in the
API's error shape (api.errors), elsewhere with a short plain page."""

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse

from .errors import error_response

logger = logging.getLogger(__name__)

NULL_CHARACTER_MESSAGE = "The request contains a null character (%00); no address, filter or field accepts one."
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _has_null_character(request: HttpRequest) -> bool:
    if "\x00" in request.path_info:
        return True
    if any("\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists()):
        return True
    # Form posts (the admin). The API reads JSON only and its serializers refuse
    # null characters field by field; reading its body here would also keep DRF
    # from refusing a form post as 415.
    if request.method == "POST" and request.content_type in _FORM_TYPES and not request.path.startswith("/api/"):
        return any("\x00" in key or any("\x00" in value for value in values) for key, values in request.POST.lists())
    return False


class RefuseNullCharactersMiddleware:
    """A null character anywhere in the path, the query string or a form is a
    400: PostgreSQL cannot store or compare it, so any lookup it reached would
    be a 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _has_null_character(request):
            return error_response(request, 400, "invalid", NULL_CHARACTER_MESSAGE, title="Bad request")
        return self.get_response(request)


DATABASE_UNAVAILABLE_MESSAGE = "The database is not answering right now; please try again in a minute."
RETRY_AFTER_SECONDS = 30


class DatabaseUnavailableMiddleware:
    """A database that refuses or drops the connection (Aurora scaling or
    failing over, "too many clients") is a 503 saying to try again, not a 500
    page: the request was fine, the back end was not there."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.error("Database unavailable for %s %s: %s", request.method, request.path, exception)
        response = error_response(
            request, 503, "database_unavailable", DATABASE_UNAVAILABLE_MESSAGE, title="Back in a minute"
        )
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
