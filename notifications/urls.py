"""Public pages of the notifications app."""

from django.urls import path

from .views import unsubscribe

app_name = "notifications"
urlpatterns = [path("notifications/unsubscribe/<str:token>/", unsubscribe, name="unsubscribe")]
