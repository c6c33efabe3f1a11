"""The on-time report in the API (``GET reports/on-time/``): an office's for its
managers and HQ (``?office=``), the network's for HQ; JSON, or CSV with ``?format=csv``."""

import io

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from api.schema import error_responses
from offices import access
from shipments.api.renderers import ErrorsAsJSONMixin
from shipments.models import Service
from shipments.ontime import csv_filename, default_months, on_time_report, write_csv
from shipments.statuses import Reason

from .renderers import CostReportCSVRenderer
from .serializers import CostReportQuerySerializer
from .views import _office_for


class OnTimeQuerySerializer(CostReportQuerySerializer):
    group_by = None  # type: ignore[assignment]
    office = serializers.CharField(
        required=False, max_length=10, help_text="An office's code: the parcels it sent. Without: the whole network."
    )

    def get_fields(self):
        fields = super().get_fields()
        fields["from"].help_text = "First day (the office's, UTC for the network), default the 1st, 11 months ago."
        fields["to"].help_text = "Last day, default today; at most 366 days in all."
        return fields


class OnTimeRowSerializer(serializers.Serializer):
    month = serializers.CharField(source="month_key", help_text="YYYY-MM, in the report's time zone.")
    service = serializers.ChoiceField(choices=Service.choices)
    delivered = serializers.IntegerField()
    on_time = serializers.IntegerField(help_text="Delivered by their expected date.")
    on_time_percent = serializers.DecimalField(max_digits=4, decimal_places=1, allow_null=True)
    median_days = serializers.DecimalField(
        max_digits=8, decimal_places=1, allow_null=True, help_text="From acceptance to delivery."
    )
    returns = serializers.IntegerField(help_text="Returns to sender started.")
    return_reasons = serializers.DictField(
        child=serializers.IntegerField(), help_text=f"Returns by reason: {', '.join(Reason.values)}."
    )


class OnTimeReportSerializer(serializers.Serializer):
    office = serializers.CharField(source="office.code", allow_null=True, help_text="Null: the whole network.")
    time_zone = serializers.CharField()
    rows = OnTimeRowSerializer(many=True)

    def get_fields(self):
        # "from" is a Python keyword, hence these two are added here.
        fields = super().get_fields()
        fields["from"] = serializers.DateField(source="date_from")
        fields["to"] = serializers.DateField(source="date_to")
        return fields


@extend_schema(
    tags=["reports"],
    parameters=[
        OnTimeQuerySerializer,
        OpenApiParameter("format", str, enum=["json", "csv"], description="csv for a spreadsheet"),
    ],
    responses={
        (200, "application/json"): OnTimeReportSerializer,
        (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="One line per service and month, as CSV"),
        **error_responses(400, 401, 403, 404, 429),
    },
)
class OnTimeReportView(ErrorsAsJSONMixin, APIView):
    """Per service and month: parcels delivered, the share by their expected
    date, the median days from acceptance to delivery, returns and their reasons."""

    renderer_classes = [JSONRenderer, BrowsableAPIRenderer, CostReportCSVRenderer]

    def get(self, request):
        query = OnTimeQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        code = query.validated_data.get("office")
        office = _office_for(request.user, code) if code else None
        if office is not None and not access.may_manage(request.user, office):
            raise PermissionDenied(f"The on-time report of {office.code} is for its managers and HQ.")
        if office is None and not access.may_view_network_reports(request.user):
            raise PermissionDenied("The network's on-time report is for HQ.")
        default_from, default_to = default_months(office, last=query.validated_data.get("to"))
        report = on_time_report(
            office=office,
            date_from=query.validated_data.get("from") or default_from,
            date_to=query.validated_data.get("to") or default_to,
        )
        if request.accepted_renderer.format == "csv":
            text = io.StringIO()
            write_csv(report, text)
            response = Response(text.getvalue())
            response["Content-Disposition"] = f'attachment; filename="{csv_filename(report)}"'
            return response
        return Response(OnTimeReportSerializer(report).data)
