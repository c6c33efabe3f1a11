"""Who may call the API at all. Object-level rules (which packages, which
office) live in the selectors and services, never here."""

from django.conf import settings
from rest_framework.permissions import BasePermission

from offices import access


class IsNetworkStaff(BasePermission):
    message = "Your account does not work at any office yet; ask HQ to add you to one."

    def has_permission(self, request, view):
        return access.may_use_api(request.user)


class CanReadApiSchema(BasePermission):
    """The OpenAPI schema and Swagger UI: anyone while DEBUG is on, staff in production."""

    message = "The API documentation is for back-office staff; sign in first."

    def has_permission(self, request, view):
        return settings.DEBUG or access.may_use_api(request.user)
