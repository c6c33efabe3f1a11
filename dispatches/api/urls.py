from django.urls import path

from . import views

urlpatterns = [
    path("bags/", views.BagListCreateView.as_view(), name="api-bag-list"),
    path("bags/<str:key>/", views.BagDetailView.as_view(), name="api-bag-detail"),
    path("bags/<str:key>/parcels/", views.BagParcelsView.as_view(), name="api-bag-parcels"),
    path(
        "bags/<str:key>/parcels/<str:tracking_number>/",
        views.BagParcelRemoveView.as_view(),
        name="api-bag-parcel-remove",
    ),
    path("bags/<str:key>/close/", views.BagCloseView.as_view(), name="api-bag-close"),
    path("bags/<str:key>/receive/", views.BagReceiveView.as_view(), name="api-bag-receive"),
    path("bags/<str:key>/check/", views.BagCheckView.as_view(), name="api-bag-check"),
    path("dispatches/", views.DispatchCreateView.as_view(), name="api-dispatch-create"),
    path("dispatches/<str:identifier>/", views.DispatchDetailView.as_view(), name="api-dispatch-detail"),
    path("dispatches/<str:identifier>/list.csv", views.DispatchListCSVView.as_view(), name="api-dispatch-csv"),
    path("discrepancies/", views.DiscrepancyListView.as_view(), name="api-discrepancy-list"),
]
