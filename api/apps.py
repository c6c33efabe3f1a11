from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The REST API's shared machinery: authentication, errors, pagination,
    throttling, permissions and the /api/v1/ URL root. The endpoints themselves
    live in each app's ``api`` package."""

    name = "api"
    verbose_name = "REST API"
