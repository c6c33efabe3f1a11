"""The way back in the API: a clerk's decision to return a parcel to its sender."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from api.schema import error_responses
from shipments.models import TrackingEvent
from shipments.returns import package_return_start
from shipments.selectors import package_get_visible
from shipments.statuses import Reason

from . import serializers as api
from .views import TRACKING_NUMBER


class ReturnCreateSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=Reason.choices, help_text="Why the parcel goes back to its sender.")
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    office = api.OfficeCodeField(
        required=False, allow_null=True, default=None, help_text="Where; defaults to where the parcel is."
    )


@extend_schema(
    tags=["packages"],
    parameters=[TRACKING_NUMBER],
    request=ReturnCreateSerializer,
    responses={201: api.EventSerializer, **error_responses(400, 401, 403, 404, 409, 429)},
)
class PackageReturnView(APIView):
    """Send the parcel back to its sender (a clerk's decision, with a reason):
    records ``return_started`` where it is; the return fee and the sender's
    message follow. A parcel of another office is 404."""

    def post(self, request, tracking_number):
        package = package_get_visible(request.user, tracking_number)
        serializer = ReturnCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        event = package_return_start(
            package=package, actor=request.user, source=TrackingEvent.Source.API, **serializer.validated_data
        )
        return Response(api.EventSerializer(event).data, status=status.HTTP_201_CREATED)
