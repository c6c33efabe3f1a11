from django.urls import path

from . import views

urlpatterns = [
    path("offices/", views.OfficeListView.as_view(), name="api-office-list"),
    path("offices/<str:code>/", views.OfficeDetailView.as_view(), name="api-office-detail"),
]
