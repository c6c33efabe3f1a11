"""The counter's money API: a package's payments, tills and their cash-up, an
office's day and its close, the COD remittance list. Views validate with a
serializer and call a service or a selector; counter.rules holds the rules."""

from datetime import date

from django.http import Http404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from api.pagination import NewestFirstCursorPagination
from api.schema import error_responses
from offices import access
from offices.models import Office
from shipments.api.renderers import CostReportCSVRenderer, ErrorsAsJSONMixin
from shipments.exceptions import ShipmentError
from shipments.ids import is_row_id
from shipments.models import Package
from shipments.selectors import package_get_visible

from .. import selectors
from ..cod import remittance_pay, remittances_due
from ..days import DaySummary, csv_filename, day_close, day_problem, day_summary, network_summary, write_csv
from ..models import Payment
from ..selectors import payment_state
from ..services import office_day, payment_record
from ..tills import till_close, till_open
from . import serializers as api
from .summaries import DaySummarySerializer, RemittanceSerializer

TRACKING_NUMBER = OpenApiParameter("tracking_number", OpenApiTypes.STR, OpenApiParameter.PATH)
OFFICE_CODE = OpenApiParameter("code", OpenApiTypes.STR, OpenApiParameter.PATH, description="Office code, e.g. NYC01")
DAY = OpenApiParameter("date", OpenApiTypes.DATE, OpenApiParameter.PATH, description="The office's calendar day")
FORMAT = OpenApiParameter("format", str, enum=["json", "csv"], description="csv for a spreadsheet")
DAY_RESPONSES = {
    (200, "application/json"): DaySummarySerializer,
    (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="The day's totals as CSV"),
}


# --- a package's payments ------------------------------------------------------


@extend_schema(tags=["payments"], parameters=[TRACKING_NUMBER])
class PackagePaymentsView(APIView):
    """What a package owes and every payment, refund and COD collection recorded for it."""

    def _answer(self, package, code=status.HTTP_200_OK) -> Response:
        body = {"state": payment_state(package), "payments": selectors.payments_of(package.pk)}
        return Response(api.PackagePaymentsSerializer(body).data, status=code)

    @extend_schema(responses={200: api.PackagePaymentsSerializer, **error_responses(400, 401, 403, 404, 429)})
    def get(self, request, tracking_number):
        return self._answer(package_get_visible(request.user, tracking_number))

    @extend_schema(
        request=api.PaymentCreateSerializer,
        responses={201: api.PackagePaymentsSerializer, **error_responses(400, 401, 403, 404, 409, 429)},
    )
    def post(self, request, tracking_number):
        package = package_get_visible(request.user, tracking_number)
        serializer = api.PaymentCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        payment_record(package=package, actor=request.user, **serializer.service_arguments())
        return self._answer(package, status.HTTP_201_CREATED)


# --- tills ---------------------------------------------------------------------------


class TillPagination(NewestFirstCursorPagination):
    ordering = ("-opened_at", "-id")


class TillStateSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=["open", "closed"], required=False, default="")


@extend_schema(tags=["tills"])
class TillListCreateView(generics.ListAPIView):
    serializer_class = api.TillSerializer
    pagination_class = TillPagination

    def get_queryset(self):
        query = TillStateSerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return selectors.tills_visible(self.request.user, state=query.validated_data["state"])

    @extend_schema(
        summary="Your tills (a manager: the offices' tills; HQ: all)",
        parameters=[OpenApiParameter("state", str, enum=["open", "closed"])],
        responses={200: api.TillSerializer(many=True), **error_responses(400, 401, 403, 429)},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Open your till at an office with the counted float",
        request=api.TillOpenSerializer,
        responses={201: api.TillSerializer, **error_responses(400, 401, 403, 409, 429)},
    )
    def post(self, request):
        serializer = api.TillOpenSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        code = serializer.validated_data["office"].strip().upper()
        office = Office.objects.filter(code=code).first()
        if office is None:
            raise ShipmentError(f"No office has the code {code}.", details={"office": ["Unknown office."]})
        till = till_open(actor=request.user, office=office, opening_float=serializer.validated_data["float"])
        return Response(api.TillSerializer(till).data, status=status.HTTP_201_CREATED)


@extend_schema(
    tags=["tills"],
    parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH)],
    request=api.TillCloseSerializer,
    responses={200: api.TillSerializer, **error_responses(400, 401, 403, 404, 409, 429)},
)
class TillCloseView(APIView):
    """The cash-up: counted against expected; the answer has the variance."""

    def post(self, request, id):
        till = selectors.tills_visible(request.user).filter(pk=id).first() if is_row_id(id) else None
        if till is None:
            raise Http404
        serializer = api.TillCloseSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        till = till_close(actor=request.user, till=till, **serializer.validated_data)
        return Response(api.TillSerializer(till).data)


# --- the day close ------------------------------------------------------------------------


def _day(office: Office | None, text: str) -> date:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise ShipmentError("Give the day as YYYY-MM-DD.", details={"date": ["Use YYYY-MM-DD."]}) from None
    problem = day_problem(day, office_day(office) if office else timezone.now().date())
    if problem:
        raise ShipmentError(problem, details={"date": [problem]})
    return day


def _managed_office(user, code: str) -> Office:
    office = access.offices_to_view(user).filter(code=code.strip().upper()).first()
    if office is None:
        raise Http404
    if not access.may_manage(user, office):
        raise PermissionDenied(f"The day of {office.code} is for its managers and HQ.")
    return office


class _DayView(ErrorsAsJSONMixin, APIView):
    renderer_classes = [JSONRenderer, BrowsableAPIRenderer, CostReportCSVRenderer]

    def answer(self, request, summary: DaySummary, code=status.HTTP_200_OK) -> Response:
        if request.accepted_renderer.format == "csv":
            response = Response(write_csv(summary))
            response["Content-Disposition"] = f'attachment; filename="{csv_filename(summary)}"'
            return response
        return Response(DaySummarySerializer(summary).data, status=code)


@extend_schema(
    tags=["days"],
    parameters=[OFFICE_CODE, DAY, FORMAT],
    responses={**DAY_RESPONSES, **error_responses(400, 401, 403, 404, 429)},
)
class OfficeDayView(_DayView):
    """An office's day at the counter: totals per method, refunds, COD, tills and variances, parcels."""

    def get(self, request, code, date):
        office = _managed_office(request.user, code)
        return self.answer(request, day_summary(office, _day(office, date)))


@extend_schema(
    tags=["days"],
    parameters=[OFFICE_CODE, DAY, FORMAT],
    request=None,
    responses={**DAY_RESPONSES, **error_responses(400, 401, 403, 404, 409, 429)},
)
class OfficeDayCloseView(_DayView):
    """Close the day (a manager's): every till cashed up; nothing of the day changes after."""

    def post(self, request, code, date):
        office = _managed_office(request.user, code)
        day = _day(office, date)
        day_close(actor=request.user, office=office, day=day)
        return self.answer(request, day_summary(office, day), status.HTTP_200_OK)


@extend_schema(
    tags=["days"],
    parameters=[DAY, FORMAT],
    responses={**DAY_RESPONSES, **error_responses(400, 401, 403, 404, 429)},
)
class NetworkDayView(_DayView):
    """Every office's day and their sum (HQ)."""

    def get(self, request, date):
        if not access.may_view_network_reports(request.user):
            raise PermissionDenied("The network's day is for HQ.")
        return self.answer(request, network_summary(_day(None, date)))


# --- COD remittances ---------------------------------------------------------------------------


class RemittancePagination(NewestFirstCursorPagination):
    ordering = ("recorded_at", "id")


class RemittanceQuerySerializer(serializers.Serializer):
    office = serializers.CharField(max_length=10, required=False, help_text="Origin office code")


@extend_schema(
    tags=["remittances"],
    parameters=[RemittanceQuerySerializer],
    responses={200: RemittanceSerializer(many=True), **error_responses(400, 401, 403, 404, 429)},
)
class RemittanceListView(generics.ListAPIView):
    """COD collected for the senders of an office and not paid out yet (its managers; HQ: every office)."""

    serializer_class = RemittanceSerializer
    pagination_class = RemittancePagination

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Payment.objects.none()
        query = RemittanceQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        code = query.validated_data.get("office")
        if code is None:
            if not access.is_hq(self.request.user):
                raise ShipmentError("Name your office.", details={"office": ["Required."]})
            return remittances_due(None)
        return remittances_due(_managed_office(self.request.user, code))


class RemittancePaySerializer(serializers.Serializer):
    bank_reference = serializers.CharField(max_length=100)


@extend_schema(
    tags=["remittances"],
    parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH, description="The COD payment's id")],
    request=RemittancePaySerializer,
    responses={201: RemittanceSerializer, **error_responses(400, 401, 403, 404, 409, 429)},
)
class RemittancePayView(APIView):
    """Pay a collected COD amount out to its sender (the bank transfer's reference closes the item)."""

    def post(self, request, id):
        payment = Payment.objects.filter(pk=id, kind=Payment.Kind.COD).first() if is_row_id(id) else None
        if payment is None or not access.restrict(Package.objects.filter(pk=payment.package_id), request.user).exists():
            raise Http404
        serializer = RemittancePaySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        remittance_pay(actor=request.user, payment=payment, **serializer.validated_data)
        paid = Payment.objects.select_related("package__origin_office", "office", "remittance").get(pk=payment.pk)
        return Response(RemittanceSerializer(paid).data, status=status.HTTP_201_CREATED)
