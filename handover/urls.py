"""The handover's pages: the delivery page, the delivery receipt and a new
collection code in the back-office, and the proofs' files behind signed links."""

from django.urls import path

from . import views

app_name = "handover"

urlpatterns = [
    path("handover/files/<str:token>/", views.file_view, name="file"),
]
