"""Everything under /api/v1/. Paths are part of the contract with the frontend."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

urlpatterns = [
    path("", include("shipments.api.urls")),
    path("", include("offices.api.urls")),
    path("", include("dispatches.api.urls")),
    path("", include("webhooks.api.urls")),
    path("", include("handover.api.urls")),
    path("", include("counter.api.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up script as a file of its own:
    # the Content Security Policy runs no inline script without a nonce.
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api-schema", template_name="api/swagger_ui.html"),
        name="api-docs",
    ),
]
