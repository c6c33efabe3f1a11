"""Who may call the API at all. Object-level rules (which packages, which
office) live in the selectors and services, never here."""

from django.conf import settings
from rest_framework.permissions import BasePermission

from offices.selectors import office_ids_of, user_is_hq


def is_network_staff(user) -> bool:
    """HQ, or someone who works at an active office. Permissions come from
    memberships, never from a token's claims or the is_staff flag alone."""
    return bool(user and user.is_authenticated and (user_is_hq(user) or office_ids_of(user)))


class IsNetworkStaff(BasePermission):
    message = "Your account does not work at any office yet; ask HQ to add you to one."

    def has_permission(self, request, view):
        return is_network_staff(request.user)


class CanReadApiSchema(BasePermission):
    """The OpenAPI schema and Swagger UI: anyone while DEBUG is on, staff in production."""

    message = "The API documentation is for back-office staff; sign in first."

    def has_permission(self, request, view):
        return settings.DEBUG or is_network_staff(request.user)
