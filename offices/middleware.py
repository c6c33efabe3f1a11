"""The back-office shows times in the clerk's office's time zone."""

from collections.abc import Callable
from zoneinfo import ZoneInfo

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from . import access


class OfficeTimeZoneMiddleware:
    """Runs the admin's pages in the signed-in user's zone (offices.access.default_time_zone:
    their default office's, UTC for HQ without an office).

    Only the admin: the API answers in UTC whoever asks, and the public
    tracking page says UTC. Costs no query: the zone comes with the
    memberships the admin reads for every page anyway.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()

    def process_view(self, request: HttpRequest, view_func: object, view_args: object, view_kwargs: object) -> None:
        match = request.resolver_match
        if match is not None and "admin" in match.namespaces and request.user.is_authenticated:
            timezone.activate(ZoneInfo(access.default_time_zone(request.user)))
