"""The error shape of api.errors in the OpenAPI schema (drf-spectacular)."""

from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers

FIELD_ERRORS_HELP = (
    "Field errors: each key is a field's path, dotted for nested fields "
    "(`sender.address.city`; a list item's index is a part: `items.0.name`; "
    "`non_field_errors` for the request as a whole), each value the list of its messages. "
    "Query parameters are named as sent (`page_size`, `origin_office`)."
)


def _error(name: str, details: serializers.Field) -> serializers.Serializer:
    return inline_serializer(
        name,
        fields={
            "error": inline_serializer(
                f"{name}Body",
                fields={
                    "code": serializers.CharField(),
                    "message": serializers.CharField(),
                    "details": details,
                },
            )
        },
    )


# Every error response has the body {"error": {"code", "message", "details"}};
# what `details` holds depends on the status.
ErrorSerializer = _error("Error", serializers.DictField(help_text="Empty, or what the code's documentation says."))
FieldErrorSerializer = _error(
    "FieldError",
    serializers.DictField(child=serializers.ListField(child=serializers.CharField()), help_text=FIELD_ERRORS_HELP),
)
IllegalTransitionErrorSerializer = _error(
    "IllegalTransitionError",
    inline_serializer(
        "IllegalTransitionDetails",
        fields={
            "current_status": serializers.CharField(),
            "allowed_next": serializers.ListField(child=serializers.CharField()),
        },
    ),
)
ThrottledErrorSerializer = _error(
    "ThrottledError",
    inline_serializer("ThrottledDetails", fields={"retry_after_seconds": serializers.IntegerField()}),
)

_RESPONSES = {
    400: (FieldErrorSerializer, "Invalid input; `details` names each field or parameter with its messages"),
    401: (ErrorSerializer, "Not signed in, or the token is not valid"),
    403: (FieldErrorSerializer, "Signed in but not allowed (`details` names a field when one is at fault)"),
    404: (ErrorSerializer, "Unknown, or not visible to you"),
    409: (IllegalTransitionErrorSerializer, "Not possible in the package's current state"),
    429: (ThrottledErrorSerializer, "Throttled"),
}


def error_responses(*statuses: int) -> dict:
    return {status: OpenApiResponse(_RESPONSES[status][0], description=_RESPONSES[status][1]) for status in statuses}
