"""Cursor pagination: no list ever counts the whole table, and pages stay
stable while new parcels are registered."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination

MAX_PAGE_SIZE = 200


class NewestFirstCursorPagination(CursorPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    ordering: tuple[str, ...] = ("-created_at", "-id")
    invalid_cursor_message = "This page link is not valid; start again from the first page."

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        # A wrong page size is a mistake worth reporting, not something to guess around:
        # a client asking for 1,000 rows and silently getting 200 would think it has them all.
        # (Length first: int() of thousands of digits raises ValueError.)
        if not (raw.isascii() and raw.isdigit() and len(raw) <= 6 and 1 <= int(raw) <= self.max_page_size):
            raise ValidationError({self.page_size_query_param: [f"A whole number from 1 to {self.max_page_size}."]})
        return int(raw)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": self.max_page_size}
                parameter["description"] = f"Rows per page, default {self.page_size}, at most {self.max_page_size}."
        return parameters

    def paginate_queryset(self, queryset, request, view=None):
        # A hand-made cursor whose position is not a date would otherwise
        # fail deep in the ORM as a 500; it is bad input, so 400.
        try:
            return super().paginate_queryset(queryset, request, view)
        except (NotFound, DjangoValidationError, ValueError):
            raise ValidationError({"cursor": [self.invalid_cursor_message]}) from None

    def get_paginated_response_schema(self, schema):
        response = super().get_paginated_response_schema(schema)
        response["required"] = ["next", "previous", "results"]
        return response


class OfficeCodeCursorPagination(NewestFirstCursorPagination):
    ordering = ("code",)
