"""The package list's label actions: the selected packages' labels as one ZPL stream."""

from django.contrib import admin, messages

from ..labels import public_tracking_url
from ..selectors import package_detail_queryset
from ..zpl import MAX_LABELS_PER_STREAM, package_labels, zpl_response


class LabelActionsMixin:
    @admin.action(description="Print labels (ZPL, thermal printer)")
    def print_labels_zpl(self, request, queryset):
        # The list's rows carry its columns only: the labels read the detail queryset.
        selected = list(
            package_detail_queryset(request.user)
            .filter(pk__in=queryset.values("pk"))
            .prefetch_related(None)
            .order_by("pk")[: MAX_LABELS_PER_STREAM + 1]
        )
        if len(selected) > MAX_LABELS_PER_STREAM:
            self.message_user(
                request, f"Select at most {MAX_LABELS_PER_STREAM} packages to print at once.", messages.ERROR
            )
            return None
        body = package_labels(
            selected, tracking_url_for=lambda package: public_tracking_url(request, package.tracking_number)
        )
        return zpl_response(body, f"labels-{len(selected)}.zpl")
