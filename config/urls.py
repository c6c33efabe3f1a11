"""The site's URLs: the back-office admin, the API and public pages.

Wiring only: every view is named by its app's URL module, never imported here."""

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

admin.site.site_header = "Parcel network back-office"
admin.site.site_title = "Parcel back-office"
admin.site.index_title = "Counter"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
    path("admin/", admin.site.urls),
    path("api/v1/", include("api.urls")),
    path("", include("shipments.urls")),
    path("", include("notifications.urls")),
    path("", include("api.health")),
]

# Unknown /api/ URLs answer in the API's error shape.
handler404 = "api.errors.not_found"
