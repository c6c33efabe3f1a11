"""Many labels at once for a thermal printer: ``POST labels.zpl`` with up to
``MAX_LABELS_PER_STREAM`` tracking numbers answers one ZPL stream, as the
package list's "Print labels (ZPL)" action does."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView

from api.schema import error_responses
from shipments.exceptions import InvalidTrackingNumber
from shipments.labels import public_tracking_url
from shipments.selectors import package_detail_queryset
from shipments.tracking_numbers import normalize_tracking_number
from shipments.zpl import DPI_CHOICES, MAX_LABELS_PER_STREAM, package_labels, zpl_response

from .renderers import ErrorsAsJSONMixin, ZPLRenderer

NOT_FOUND = "No package you can see has this number."


class LabelsRequestSerializer(serializers.Serializer):
    tracking_numbers = serializers.ListField(
        child=serializers.CharField(max_length=40),
        min_length=1,
        max_length=MAX_LABELS_PER_STREAM,
        help_text=f"The packages, in the order to print (1 to {MAX_LABELS_PER_STREAM}; a repeated number prints once).",
    )
    dpi = serializers.ChoiceField(choices=list(DPI_CHOICES), default=203, help_text="The printer's resolution.")


@extend_schema(
    tags=["packages"],
    request=LabelsRequestSerializer,
    responses={
        (200, "application/zpl"): OpenApiResponse(
            OpenApiTypes.STR, description="The labels in ZPL, one 100 × 150 mm label each, in the order asked"
        ),
        # 404: a ?format= DRF does not know.
        **error_responses(400, 401, 403, 404, 429),
    },
)
class LabelsZPLView(ErrorsAsJSONMixin, APIView):
    """The labels of many packages as one ZPL stream, for a thermal printer."""

    # JSON first: errors keep the one error shape; the labels are served as ZPL whatever was asked.
    renderer_classes = [JSONRenderer, ZPLRenderer]

    def post(self, request):
        body = LabelsRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        numbers, problems = [], {}
        for position, line in enumerate(body.validated_data["tracking_numbers"]):
            try:
                numbers.append(normalize_tracking_number(line))
            except InvalidTrackingNumber as error:
                problems[f"tracking_numbers.{position}"] = [error.message]
        numbers = list(dict.fromkeys(numbers))
        found = {
            package.tracking_number: package
            for package in package_detail_queryset(request.user)
            .filter(tracking_number__in=numbers)
            .prefetch_related(None)
        }
        for position, line in enumerate(body.validated_data["tracking_numbers"]):
            key = f"tracking_numbers.{position}"
            if key not in problems and normalize_tracking_number(line) not in found:
                problems[key] = [NOT_FOUND]  # unknown and not yours look the same
        if problems:
            raise serializers.ValidationError(problems)
        stream = package_labels(
            [found[number] for number in numbers],
            tracking_url_for=lambda package: public_tracking_url(request, package.tracking_number),
            dpi=body.validated_data["dpi"],
        )
        return zpl_response(stream, f"labels-{len(numbers)}.zpl")
