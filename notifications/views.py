"""The unsubscribe link of notification emails (public, signed)."""

from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from shipments.models import Package

from .messages import UNSUBSCRIBE_SALT
from .unsubscribe import LinkExpired, final_at, link_expired, unsubscribe_email


@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a confirm button (mail scanners follow links); POST turns the email off.
    A link of a parcel final for more than 30 days has expired (410)."""
    try:
        payload = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return render(request, "notifications/unsubscribe.html", {"invalid": True}, status=400)
    now = timezone.now()
    package = get_object_or_404(Package, pk=payload["package"])
    expired = render(request, "notifications/unsubscribe.html", {"expired": True}, status=410)
    if request.method == "POST":
        try:
            package = unsubscribe_email(package_id=package.pk, recipient=payload["recipient"], now=now)
        except LinkExpired:
            return expired
        return render(request, "notifications/unsubscribe.html", {"done": True, "package": package})
    if link_expired(final_at=final_at(package), now=now):
        return expired
    return render(request, "notifications/unsubscribe.html", {"token": token})
