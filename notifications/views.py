"""The unsubscribe link of notification emails (public, signed)."""

from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from .messages import UNSUBSCRIBE_SALT
from .services import unsubscribe_email


@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a confirm button (mail scanners follow links); POST turns the email off."""
    try:
        payload = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return render(request, "notifications/unsubscribe.html", {"invalid": True}, status=400)
    if request.method == "POST":
        package = unsubscribe_email(package_id=payload["package"], recipient=payload["recipient"])
        return render(request, "notifications/unsubscribe.html", {"done": True, "package": package})
    return render(request, "notifications/unsubscribe.html", {"token": token})
