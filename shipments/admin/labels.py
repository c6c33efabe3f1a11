"""The package list's label actions: the selected packages' labels as one ZPL
stream (thermal printers), or as one page of HTML labels, a label a page, for an
ordinary printer (the browser prints it, or saves it as a PDF: no PDF library
in the Lambda package)."""

from django.contrib import admin, messages
from django.template.response import TemplateResponse

from ..labels import barcode_svg, public_tracking_url
from ..selectors import package_detail_queryset
from ..times import office_zone
from ..zpl import MAX_LABELS_PER_STREAM, package_labels, zpl_response


class LabelActionsMixin:
    def _selected_for_labels(self, request, queryset) -> list | None:
        # The list's rows carry its columns only: the labels read the detail queryset.
        selected = list(
            package_detail_queryset(request.user)
            .filter(pk__in=queryset.values("pk"))
            .prefetch_related(None)
            .order_by("pk")[: MAX_LABELS_PER_STREAM + 1]
        )
        if len(selected) > MAX_LABELS_PER_STREAM:
            self.message_user(  # type: ignore[attr-defined]
                request, f"Select at most {MAX_LABELS_PER_STREAM} packages to print at once.", messages.ERROR
            )
            return None
        return selected

    @admin.action(description="Print labels (page per label, ordinary printer or PDF)")
    def print_labels_pages(self, request, queryset):
        selected = self._selected_for_labels(request, queryset)
        if selected is None:
            return None
        labels = [
            {
                "package": package,
                "barcode": barcode_svg(package.tracking_number),
                "zone": office_zone(package.origin_office),
            }
            for package in selected
        ]
        return TemplateResponse(request, "shipments/labels.html", {"labels": labels})

    @admin.action(description="Print labels (ZPL, thermal printer)")
    def print_labels_zpl(self, request, queryset):
        selected = self._selected_for_labels(request, queryset)
        if selected is None:
            return None
        body = package_labels(
            selected, tracking_url_for=lambda package: public_tracking_url(request, package.tracking_number)
        )
        return zpl_response(body, f"labels-{len(selected)}.zpl")
