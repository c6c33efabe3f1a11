"""Public pages of the shipments app (outside the admin and the API)."""

from django.urls import path

from .views import track

urlpatterns = [path("track/", track, name="track")]
