"""The error shape of api.errors in the OpenAPI schema (drf-spectacular)."""

from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers

# For the OpenAPI schema: every error response has this body.
ErrorSerializer = inline_serializer(
    "Error",
    fields={
        "error": inline_serializer(
            "ErrorBody",
            fields={
                "code": serializers.CharField(),
                "message": serializers.CharField(),
                "details": serializers.DictField(),
            },
        )
    },
)


def error_responses(*statuses: int) -> dict:
    descriptions = {
        400: "Invalid input",
        401: "Not signed in, or the token is not valid",
        403: "Signed in but not allowed",
        404: "Unknown, or not visible to you",
        409: "Not possible in the package's current state",
        429: "Throttled",
    }
    return {status: OpenApiResponse(ErrorSerializer, description=descriptions[status]) for status in statuses}
