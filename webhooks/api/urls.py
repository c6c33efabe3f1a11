from django.urls import path

from . import views

urlpatterns = [
    path("webhooks/", views.WebhookListCreateView.as_view(), name="api-webhook-list"),
    path("webhooks/<int:pk>/", views.WebhookDetailView.as_view(), name="api-webhook-detail"),
    path("webhooks/<int:pk>/deliveries/", views.WebhookDeliveriesView.as_view(), name="api-webhook-deliveries"),
    path("webhooks/<int:pk>/redeliver/", views.WebhookRedeliverView.as_view(), name="api-webhook-redeliver"),
    path("webhooks/<int:pk>/test/", views.WebhookTestView.as_view(), name="api-webhook-test"),
    path("webhooks/<int:pk>/rotate-secret/", views.WebhookRotateSecretView.as_view(), name="api-webhook-rotate"),
]
