"""Who may call the API at all. Object-level rules (which packages, which
office) live in the selectors and services, never here."""

from django.conf import settings
from rest_framework.permissions import BasePermission

from offices import access

SECOND_FACTOR_MESSAGE = (
    "HQ's rights need a second factor: sign in with your authenticator app (to the back-office with its "
    "code, or to Cognito with MFA and send the ID token). Until then you have your offices' rights only, "
    "and you work at none."
)


class IsNetworkStaff(BasePermission):
    message = "Your account does not work at any office yet; ask HQ to add you to one."

    def has_permission(self, request, view):
        if access.may_use_api(request.user):
            return True
        if access.lacks_second_factor(request.user):
            self.message = SECOND_FACTOR_MESSAGE  # one instance per request (APIView.get_permissions)
        return False


class CanReadApiSchema(BasePermission):
    """The OpenAPI schema and Swagger UI: anyone while DEBUG is on, staff in production."""

    message = "The API documentation is for back-office staff; sign in first."

    def has_permission(self, request, view):
        return settings.DEBUG or access.may_use_api(request.user)
