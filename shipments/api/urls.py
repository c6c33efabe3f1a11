from django.urls import path

from . import labels, ontime, returns, views

urlpatterns = [
    path("track/<str:tracking_number>/", views.PublicTrackingView.as_view(), name="api-track"),
    path("packages/", views.PackageListCreateView.as_view(), name="api-package-list"),
    path("packages/<str:tracking_number>/", views.PackageDetailView.as_view(), name="api-package-detail"),
    path("packages/<str:tracking_number>/label.zpl", views.PackageLabelZPLView.as_view(), name="api-package-label-zpl"),
    path("labels.zpl", labels.LabelsZPLView.as_view(), name="api-labels-zpl"),
    path("packages/<str:tracking_number>/events/", views.PackageEventCreateView.as_view(), name="api-package-events"),
    path("packages/<str:tracking_number>/return/", returns.PackageReturnView.as_view(), name="api-package-return"),
    path("offices/<str:code>/packages/", views.OfficePackagesView.as_view(), name="api-office-packages"),
    path("offices/<str:code>/reports/costs/", views.OfficeCostReportView.as_view(), name="api-office-cost-report"),
    path("reports/costs/", views.NetworkCostReportView.as_view(), name="api-network-cost-report"),
    path("reports/on-time/", ontime.OnTimeReportView.as_view(), name="api-on-time-report"),
    path("quotes/", views.QuoteView.as_view(), name="api-quote"),
]
