from django.urls import path

from . import views

urlpatterns = [
    path("packages/<str:tracking_number>/payments/", views.PackagePaymentsView.as_view(), name="api-package-payments"),
    path("tills/", views.TillListCreateView.as_view(), name="api-till-list"),
    path("tills/<str:id>/close/", views.TillCloseView.as_view(), name="api-till-close"),
    path("offices/<str:code>/days/<str:date>/", views.OfficeDayView.as_view(), name="api-office-day"),
    path("offices/<str:code>/days/<str:date>/close/", views.OfficeDayCloseView.as_view(), name="api-office-day-close"),
    path("days/<str:date>/", views.NetworkDayView.as_view(), name="api-network-day"),
    path("remittances/", views.RemittanceListView.as_view(), name="api-remittance-list"),
    path("remittances/<str:id>/pay/", views.RemittancePayView.as_view(), name="api-remittance-pay"),
]
