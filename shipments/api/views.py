"""The package API. Views validate with a serializer, call a selector or a
service, and serialize the answer; every rule lives in shipments.services and
every scoping decision in shipments.selectors."""

import io

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import AllowAny
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from api.schema import error_responses
from api.throttling import PublicTrackingThrottle
from counter.registration import register_at_counter
from handover.services import package_hand_over
from offices import access
from offices.models import Office
from shipments.labels import public_tracking_url
from shipments.models import Package, TrackingEvent
from shipments.pricing import quote
from shipments.reports import cost_report, csv_filename, default_range, write_csv
from shipments.selectors import (
    DIRECTIONS,
    office_packages,
    package_detail_queryset,
    package_get_visible,
    package_list,
    package_tracking_public,
)
from shipments.services import package_record_event
from shipments.statuses import HANDOVER_STATUSES
from shipments.zpl import DPI_CHOICES, dpi_from, package_label, zpl_response

from . import serializers as api
from .filters import PackageFilter
from .renderers import CostReportCSVRenderer, ErrorsAsJSONMixin, ZPLRenderer

TRACKING_NUMBER = OpenApiParameter(
    "tracking_number", OpenApiTypes.STR, OpenApiParameter.PATH, description="e.g. EE473124829US"
)
OFFICE_CODE = OpenApiParameter("code", OpenApiTypes.STR, OpenApiParameter.PATH, description="Office code, e.g. NYC01")


@extend_schema(
    tags=["tracking"],
    parameters=[TRACKING_NUMBER],
    responses={200: api.PublicTrackingSerializer, **error_responses(400, 404, 429)},
    auth=[],
)
class PublicTrackingView(APIView):
    """Where is my parcel? Public and redacted: no names, addresses, phones or costs."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [PublicTrackingThrottle]

    def get(self, request, tracking_number):
        return Response(api.PublicTrackingSerializer(package_tracking_public(tracking_number)).data)


@extend_schema(tags=["packages"])
class PackageListCreateView(generics.ListCreateAPIView):
    filterset_class = PackageFilter

    def get_queryset(self):
        return package_list(self.request.user)

    def get_serializer_class(self):
        return api.PackageCreateSerializer if self.request.method == "POST" else api.PackageListSerializer

    @extend_schema(
        summary="Packages you can see",
        responses={200: api.PackageListSerializer(many=True), **error_responses(400, 401, 403, 429)},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Register a parcel at the counter",
        request=api.PackageCreateSerializer,
        responses={201: api.PackageDetailSerializer, **error_responses(400, 401, 403, 409, 429)},
    )
    def post(self, request, *args, **kwargs):
        serializer = api.PackageCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        package = register_at_counter(
            actor=request.user, source=TrackingEvent.Source.API, **serializer.service_arguments()
        )
        package = package_detail_queryset(request.user).get(pk=package.pk)
        return Response(api.PackageDetailSerializer(package).data, status=status.HTTP_201_CREATED)


@extend_schema(
    tags=["packages"],
    parameters=[TRACKING_NUMBER],
    responses={200: api.PackageDetailSerializer, **error_responses(400, 401, 403, 404, 429)},
)
class PackageDetailView(APIView):
    """A package with its sender, receiver, frozen cost and timeline."""

    def get(self, request, tracking_number):
        package = package_get_visible(request.user, tracking_number)
        return Response(api.PackageDetailSerializer(package).data)


@extend_schema(
    tags=["packages"],
    parameters=[
        TRACKING_NUMBER,
        OpenApiParameter("dpi", int, enum=list(DPI_CHOICES), description="the printer's resolution (default 203)"),
    ],
    responses={
        (200, "application/zpl"): OpenApiResponse(
            OpenApiTypes.STR, description="One 100 × 150 mm label in ZPL (UTF-8, ^CI28), for a thermal printer"
        ),
        **error_responses(400, 401, 403, 404, 429),
    },
)
class PackageLabelZPLView(ErrorsAsJSONMixin, APIView):
    """The package's label in ZPL, for a Zebra-type thermal printer."""

    # JSON first: errors keep the one error shape; a client asking only for application/zpl is served too.
    renderer_classes = [JSONRenderer, ZPLRenderer]

    def get(self, request, tracking_number):
        package = package_get_visible(request.user, tracking_number)
        dpi = dpi_from(request.query_params.get("dpi"))
        if dpi is None:
            raise serializers.ValidationError({"dpi": [f"One of {', '.join(map(str, DPI_CHOICES))}."]})
        body = package_label(package, tracking_url=public_tracking_url(request, package.tracking_number), dpi=dpi)
        return zpl_response(body, f"label-{package.tracking_number}.zpl")


@extend_schema(
    tags=["packages"],
    parameters=[TRACKING_NUMBER],
    request=api.EventCreateSerializer,
    responses={201: api.EventSerializer, **error_responses(400, 401, 403, 404, 409, 429)},
)
class PackageEventCreateView(APIView):
    """Record a status change (a scan) at one of your offices."""

    def post(self, request, tracking_number):
        package = package_get_visible(request.user, tracking_number)
        serializer = api.EventCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        proof = api.EventCreateSerializer.proof_from(data)
        if data["status"] in HANDOVER_STATUSES:
            event = package_hand_over(
                package=package, proof=proof, actor=request.user, source=TrackingEvent.Source.API, **data
            ).event
        else:
            event = package_record_event(
                package=package,
                actor=request.user,
                source=TrackingEvent.Source.API,
                received_by=proof.received_by,
                **data,
            )
        return Response(api.EventSerializer(event).data, status=status.HTTP_201_CREATED)


def _office_for(user, code: str) -> Office:
    office = access.offices_to_view(user).filter(code=code.strip().upper()).first()
    if office is None:
        raise Http404
    return office


class DirectionSerializer(serializers.Serializer):
    direction = serializers.ChoiceField(choices=DIRECTIONS)


@extend_schema(
    tags=["offices"],
    parameters=[
        OFFICE_CODE,
        OpenApiParameter(
            "direction",
            str,
            enum=list(DIRECTIONS),
            required=True,
            description="sent: registered here; incoming: on their way here; on_hand: physically here now",
        ),
    ],
    responses={200: api.PackageListSerializer(many=True), **error_responses(400, 401, 403, 404, 429)},
)
class OfficePackagesView(generics.ListAPIView):
    """The parcels of one office, for the people who work there (and HQ)."""

    serializer_class = api.PackageListSerializer
    filterset_class = PackageFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no request kwargs
            return Package.objects.none()
        office = _office_for(self.request.user, self.kwargs["code"])
        if not access.may_act_at(self.request.user, office):
            raise PermissionDenied(f"You do not work at {office.code}.")
        query = DirectionSerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return office_packages(self.request.user, office, query.validated_data["direction"])


class _CostReportView(ErrorsAsJSONMixin, APIView):
    """A cost report (shipments.reports) as JSON, or as CSV with ``?format=csv``."""

    renderer_classes = [JSONRenderer, BrowsableAPIRenderer, CostReportCSVRenderer]
    query_serializer_class: type[api.CostReportQuerySerializer] = api.CostReportQuerySerializer
    serializer_class: type[api.CostReportSerializer] = api.CostReportSerializer

    def report(self, request, office: Office | None) -> Response:
        query = self.query_serializer_class(data=request.query_params)
        query.is_valid(raise_exception=True)
        default_from, date_to = default_range(office, last=query.validated_data.get("to"))
        date_from = query.validated_data.get("from") or default_from
        group_by = query.validated_data["group_by"]
        report = cost_report(office=office, date_from=date_from, date_to=date_to, group_by=(group_by,))
        if request.accepted_renderer.format == "csv":
            text = io.StringIO()
            write_csv(report, text, breakdowns=(group_by,))
            response = Response(text.getvalue())
            response["Content-Disposition"] = f'attachment; filename="{csv_filename(report, (group_by,))}"'
            return response
        return Response(self.serializer_class(report, context={"group_by": group_by}).data)


@extend_schema(
    tags=["offices"],
    parameters=[
        OFFICE_CODE,
        api.CostReportQuerySerializer,
        OpenApiParameter("format", str, enum=["json", "csv"], description="csv for a spreadsheet"),
    ],
    responses={
        (200, "application/json"): api.CostReportSerializer,
        (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="The rows and a total, as CSV"),
        **error_responses(400, 401, 403, 404, 429),
    },
)
class OfficeCostReportView(_CostReportView):
    """Shipping revenue of one office, for its managers and HQ. Sums immutable charges; days are the office's."""

    def get(self, request, code):
        office = _office_for(request.user, code)
        if not access.may_manage(request.user, office):
            raise PermissionDenied(f"Cost reports of {office.code} are for its managers and HQ.")
        return self.report(request, office)


@extend_schema(
    tags=["reports"],
    parameters=[
        api.NetworkCostReportQuerySerializer,
        OpenApiParameter("format", str, enum=["json", "csv"], description="csv for a spreadsheet"),
    ],
    responses={
        (200, "application/json"): api.NetworkCostReportSerializer,
        (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="The rows and a total, as CSV"),
        # 404: a `format` DRF does not know.
        **error_responses(400, 401, 403, 404, 429),
    },
)
class NetworkCostReportView(_CostReportView):
    """Shipping revenue of the whole network (every origin office), for HQ: the
    office report's shape, ``office`` null, days in UTC, ``group_by=office`` by origin office."""

    query_serializer_class = api.NetworkCostReportQuerySerializer
    serializer_class = api.NetworkCostReportSerializer

    def get(self, request):
        if not access.may_view_network_reports(request.user):
            raise PermissionDenied("The network's cost report is for HQ.")
        return self.report(request, None)


@extend_schema(
    tags=["quotes"],
    request=api.QuoteInputSerializer,
    responses={200: api.CostSerializer, **error_responses(400, 401, 403, 429)},
)
class QuoteView(APIView):
    """What sending a parcel would cost today. Creates nothing."""

    def post(self, request):
        serializer = api.QuoteInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response(api.CostSerializer(quote(serializer.parcel())).data)
