"""The handover's pages: the delivery page, the delivery receipt and a new
collection code in the back-office, and the proofs' files behind signed links."""

from django.urls import path

from . import admin_views, views

app_name = "handover"

urlpatterns = [
    path("handover/files/<str:token>/", views.file_view, name="file"),
    path("admin/handover/<str:object_id>/deliver/", admin_views.delivery_view, name="deliver"),
    # Another handover status (HANDOVER_STATUSES), on the same page.
    path("admin/handover/<str:object_id>/hand-over/<str:status>/", admin_views.delivery_view, name="hand_over"),
    path("admin/handover/<str:object_id>/receipt/", admin_views.receipt_view, name="receipt"),
    path("admin/handover/<str:object_id>/resend-code/", admin_views.resend_code_view, name="resend_code"),
]
