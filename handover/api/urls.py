from django.urls import path

from . import views

urlpatterns = [
    path("packages/<str:tracking_number>/proof/", views.PackageProofView.as_view(), name="api-package-proof"),
    path(
        "packages/<str:tracking_number>/proof-uploads/",
        views.PackageProofUploadView.as_view(),
        name="api-package-proof-uploads",
    ),
]
