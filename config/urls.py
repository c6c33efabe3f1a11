"""The site's URLs: the back-office admin, the API and public pages."""

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from config.health import healthz
from shipments.views import track

admin.site.site_header = "Parcel network back-office"
admin.site.site_title = "Parcel back-office"
admin.site.index_title = "Counter"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
    path("admin/", admin.site.urls),
    path("api/v1/", include("config.api.urls")),
    path("track/", track, name="track"),
    path("healthz", healthz, name="healthz"),
]

# Unknown /api/ URLs answer in the API's error shape.
handler404 = "config.api.errors.not_found"
