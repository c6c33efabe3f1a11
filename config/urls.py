"""The site's URLs: the back-office admin, the API and public pages."""

from django.contrib import admin
from django.urls import path
from django.views.generic import RedirectView

admin.site.site_header = "Parcel network back-office"
admin.site.site_title = "Parcel back-office"
admin.site.index_title = "Counter"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
    path("admin/", admin.site.urls),
]
