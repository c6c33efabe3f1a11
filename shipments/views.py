"""The public tracking page (/track/): a customer types a tracking number and
sees the same redacted timeline as GET /api/v1/track/{tracking_number}/."""

from django.shortcuts import render
from django.views.decorators.http import require_safe

from api.throttling import PublicTrackingThrottle
from shipments.exceptions import InvalidTrackingNumber, PackageNotFound
from shipments.selectors import package_tracking_public


@require_safe
def track(request):
    number = request.GET.get("number", "").strip()
    context = {"number": number, "tracking": None, "error": None}
    status = 200
    if number:
        throttle = PublicTrackingThrottle()
        if not throttle.allow_request(request, None):
            context["error"] = "Too many look-ups from your connection; please wait a minute and try again."
            return render(request, "tracking/track.html", context, status=429)
        try:
            context["tracking"] = package_tracking_public(number)
        except InvalidTrackingNumber as error:
            context["error"], status = error.message, 400
        except PackageNotFound as error:
            context["error"], status = error.message, 404
    return render(request, "tracking/track.html", context, status=status)
