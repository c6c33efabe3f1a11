"""The site's URLs: the back-office admin, the API and public pages.

Wiring only: every view is named by its app's URL module, never imported here."""

from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.urls.resolvers import RoutePattern, URLResolver
from django.utils.functional import lazy
from django.views.generic import RedirectView

admin.site.site_header = "Parcel network back-office"
admin.site.site_title = "Parcel back-office"
admin.site.index_title = "Counter"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
    # Browsers ask for /favicon.ico on pages that name no icon (the API's, the
    # schema's). Lazy: the static files' URL (S3 in production) is read on use.
    path("favicon.ico", RedirectView.as_view(url=lazy(static, str)("favicon.ico"), permanent=False)),
    # Before the admin's: its catch-all would answer these with a 404.
    path("", include("offices.urls")),
    path("", include("handover.urls")),
    path("admin/", admin.site.urls),
    # Named, not imported: the API's views (DRF, drf-spectacular, the JWT stack) load on
    # the first request under /api/v1/ (or the first reverse()), not on one to /healthz;
    # a Lambda cold start pays for every import (docs/deploy.md, Cold start). A URLResolver
    # given a module's name imports it on first use, as Django's root one does with
    # ROOT_URLCONF; path(..., include()) would import it now.
    URLResolver(RoutePattern("api/v1/"), "api.urls"),
    path("", include("shipments.urls")),
    path("", include("notifications.urls")),
    path("", include("api.health")),
]

# Unknown /api/ URLs and requests Django refuses (too large, ...) answer in the API's error shape;
# a refused admin page is a page of the admin's (handler403).
handler400 = "api.errors.bad_request"
handler403 = "api.errors.permission_denied"
handler404 = "api.errors.not_found"
handler500 = "api.errors.server_error"
