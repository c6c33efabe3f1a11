"""Serializers of the package API: one per direction.

Input serializers list every field they accept and nothing else, so a client
cannot set a status, a cost or an office by adding keys to the body (mass
assignment): unknown keys are ignored. They turn the request into the
arguments of a service call; the services hold the rules.
"""

from decimal import Decimal

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from counter.api.serializers import TenderInputSerializer
from handover.api.serializers import ProofFieldsSerializer
from offices.models import Office
from shipments.days import day_out_of_range
from shipments.models import Digits, Package, Service, TrackingEvent
from shipments.reports import GROUPINGS, NETWORK_GROUPINGS
from shipments.statuses import Reason, Status
from shipments.values import Address, Parcel, Party

MONEY: Digits = {"max_digits": 12, "decimal_places": 2}


class OfficeCodeField(serializers.SlugRelatedField):
    """An office given by its code (NYC01), case-insensitive on input."""

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", Office.objects.select_related("location"))
        super().__init__(slug_field="code", **kwargs)

    def to_internal_value(self, data):
        if isinstance(data, str):
            data = data.strip().upper()
        return super().to_internal_value(data)


# --- input -------------------------------------------------------------------


class AddressInputSerializer(serializers.Serializer):
    # Stripped by the service (shipments.rules.registered_text keeps a tab before =), not here.
    line1 = serializers.CharField(max_length=200, trim_whitespace=False)
    line2 = serializers.CharField(max_length=200, trim_whitespace=False, required=False, allow_blank=True, default="")
    city = serializers.CharField(max_length=100, trim_whitespace=False)
    region = serializers.CharField(max_length=100, trim_whitespace=False, required=False, allow_blank=True, default="")
    postal_code = serializers.CharField(
        max_length=20, trim_whitespace=False, required=False, allow_blank=True, default=""
    )
    country = serializers.CharField(min_length=2, max_length=2, help_text="ISO 3166-1 alpha-2, e.g. US.")


class PartyInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, trim_whitespace=False)
    # No default: "" is not an email address, so the schema may not say so (it defaults in to_party).
    email = serializers.EmailField(max_length=254, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    address = AddressInputSerializer()
    notify_sms = serializers.BooleanField(required=False, default=False)
    notify_email = serializers.BooleanField(required=False, default=False)

    @staticmethod
    def to_party(data: dict) -> Party:
        return Party(**{"email": "", **data, "address": Address(**data["address"])})


class ParcelInputSerializer(serializers.Serializer):
    """What a price depends on: offices, service and the parcel's facts."""

    origin_office = OfficeCodeField()
    destination_office = OfficeCodeField()
    service = serializers.ChoiceField(choices=Service.choices)
    weight_grams = serializers.IntegerField(min_value=1, max_value=10_000_000)
    length_cm = serializers.IntegerField(min_value=1, max_value=100_000)
    width_cm = serializers.IntegerField(min_value=1, max_value=100_000)
    height_cm = serializers.IntegerField(min_value=1, max_value=100_000)
    declared_value = serializers.DecimalField(**MONEY, min_value=0, required=False, default=Decimal("0"))
    currency = serializers.CharField(min_length=3, max_length=3, required=False, allow_null=True, default=None)

    def parcel(self) -> Parcel:
        return Parcel(**{name: self.validated_data[name] for name in ParcelInputSerializer._declared_fields})


class QuoteInputSerializer(ParcelInputSerializer):
    pass


class PackageCreateSerializer(ParcelInputSerializer):
    sender = PartyInputSerializer()
    receiver = PartyInputSerializer()
    accept = serializers.BooleanField(
        required=False, default=False, help_text="True when the parcel is handed over at the counter now."
    )
    collection_code_requested = serializers.BooleanField(
        required=False, default=False, help_text="Hand it over only against a code sent to the receiver."
    )
    # Money at the counter (counter.registration.register_at_counter).
    payment = TenderInputSerializer(
        required=False, allow_null=True, default=None, help_text="How the price was paid; leave out for unpaid."
    )
    cod_amount = serializers.DecimalField(
        **MONEY,
        min_value=0,
        required=False,
        default=Decimal("0"),
        help_text="Cash on delivery, in the tariff's currency.",
    )

    def service_arguments(self) -> dict:
        """The keyword arguments of ``counter.registration.register_at_counter``."""
        data = self.validated_data
        return {
            "parcel": self.parcel(),
            "sender": PartyInputSerializer.to_party(data["sender"]),
            "receiver": PartyInputSerializer.to_party(data["receiver"]),
            "accept": data["accept"],
            "collection_code_requested": data["collection_code_requested"],
            "payment": TenderInputSerializer.to_tender(data["payment"]) if data["payment"] else None,
            "cod_amount": data["cod_amount"],
        }


class EventCreateSerializer(ProofFieldsSerializer):
    """A step; ``delivered`` with its proof (the handover app's fields)."""

    status = serializers.ChoiceField(choices=Status.choices)
    office = OfficeCodeField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Where it happened; defaults to the package's current office.",
    )
    occurred_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    reason = serializers.ChoiceField(choices=Reason.choices, required=False, allow_blank=True, default="")


class CostReportQuerySerializer(serializers.Serializer):
    # "from" is a Python keyword, hence the explicit field names below.
    group_by = serializers.ChoiceField(choices=list(GROUPINGS), required=False, default="day")

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = serializers.DateField(
            required=False, help_text="First day (office time), default 30 days before `to`."
        )
        fields["to"] = serializers.DateField(required=False, help_text="Last day (office time), default today.")
        return fields

    def validate(self, data):
        # Far-off dates cannot be turned into the report's time range (and hold no charges).
        for name in ("from", "to"):
            problem = day_out_of_range(data[name]) if name in data else None
            if problem:
                raise serializers.ValidationError({name: problem})
        return data


class NetworkCostReportQuerySerializer(CostReportQuerySerializer):
    group_by = serializers.ChoiceField(
        choices=list(NETWORK_GROUPINGS),
        required=False,
        default="day",
        help_text="`office`: by origin office, the office the charges count for.",
    )

    def get_fields(self):
        fields = super().get_fields()
        fields["from"].help_text = "First day (UTC), default 30 days before `to`."
        fields["to"].help_text = "Last day (UTC), default today."
        return fields


# --- output ------------------------------------------------------------------


REPORT_MONEY: Digits = {"max_digits": 14, "decimal_places": 2}


class CostReportRowSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="ISO date, service, or destination or origin office code, by `group_by`.")
    # A declared field, not Field.label: DRF's metaclass takes it out of the class.
    label = serializers.CharField()  # type: ignore[assignment]
    packages = serializers.IntegerField()
    revenue = serializers.DecimalField(**REPORT_MONEY)
    average_cost = serializers.DecimalField(**REPORT_MONEY)
    returns = serializers.IntegerField(help_text="Parcels sent back to their senders (return charges).")
    return_fees = serializers.DecimalField(**REPORT_MONEY, help_text="The return fees, part of the revenue.")


class CostReportTotalsSerializer(CostReportRowSerializer):
    key = None  # type: ignore[assignment]
    label = None  # type: ignore[assignment]


class CostReportSerializer(serializers.Serializer):
    """A shipments.reports.CostReport with the one breakdown asked for (context ``group_by``)."""

    office = serializers.CharField(source="office.code")
    group_by = serializers.SerializerMethodField()
    currency = serializers.CharField()
    totals = CostReportTotalsSerializer(source="*")
    rows = serializers.SerializerMethodField()

    def get_fields(self):
        # "from" is a Python keyword, hence these two are added here.
        fields = super().get_fields()
        fields["from"] = serializers.DateField(source="date_from")
        fields["to"] = serializers.DateField(source="date_to")
        return fields

    def get_group_by(self, report) -> str:
        return self.context["group_by"]

    @extend_schema_field(CostReportRowSerializer(many=True))
    def get_rows(self, report):
        return CostReportRowSerializer(report.rows[self.context["group_by"]], many=True).data


class NetworkCostReportSerializer(CostReportSerializer):
    """The same shape for the whole network: ``office`` is null."""

    office = serializers.CharField(source="office.code", allow_null=True, help_text="Always null: every office.")


class CostSerializer(serializers.Serializer):
    """A price breakdown: money as decimal strings, total = sum of the parts."""

    base = serializers.DecimalField(**MONEY)
    weight = serializers.DecimalField(**MONEY)
    distance = serializers.DecimalField(**MONEY)
    insurance = serializers.DecimalField(**MONEY)
    surcharges = serializers.DecimalField(**MONEY)
    tax = serializers.DecimalField(**MONEY)
    total = serializers.DecimalField(**MONEY)
    currency = serializers.CharField()
    chargeable_weight_grams = serializers.IntegerField()
    distance_km = serializers.DecimalField(max_digits=8, decimal_places=1)
    transit_days = serializers.IntegerField()


class PackageCostSerializer(CostSerializer):
    """The same breakdown, read from the cost frozen on a package."""

    base = serializers.DecimalField(**MONEY, source="cost_base")
    weight = serializers.DecimalField(**MONEY, source="cost_weight")
    distance = serializers.DecimalField(**MONEY, source="cost_distance")
    insurance = serializers.DecimalField(**MONEY, source="cost_insurance")
    surcharges = serializers.DecimalField(**MONEY, source="cost_surcharges")
    tax = serializers.DecimalField(**MONEY, source="cost_tax")
    total = serializers.DecimalField(**MONEY, source="cost_total")
    currency = serializers.CharField(source="cost_currency")


class PartyAddressSerializer(serializers.Serializer):
    line1 = serializers.CharField()
    line2 = serializers.CharField()
    city = serializers.CharField()
    region = serializers.CharField()
    postal_code = serializers.CharField()
    country = serializers.CharField()


def _party_serializer(role: str):
    """Sender or receiver, read from the package's flat ``{role}_*`` columns."""
    fields = {
        "name": serializers.CharField(source=f"{role}_name"),
        "email": serializers.CharField(source=f"{role}_email"),
        "phone": serializers.CharField(source=f"{role}_phone"),
        "address": PartyAddressSerializer(source=f"{role}_address"),
        "notify_sms": serializers.BooleanField(source=f"{role}_notify_sms"),
        "notify_email": serializers.BooleanField(source=f"{role}_notify_email"),
    }
    return type(f"{role.title()}Serializer", (serializers.Serializer,), fields)


SenderSerializer = _party_serializer("sender")
ReceiverSerializer = _party_serializer("receiver")


class EventSerializer(serializers.ModelSerializer):
    office = serializers.SlugRelatedField(slug_field="code", read_only=True)
    recorded_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = TrackingEvent
        fields = [
            "status",
            "office",
            "occurred_at",
            "recorded_at",
            "recorded_by",
            "source",
            "note",
            "reason",
            "received_by",
        ]
        read_only_fields = fields


class _PackageOfficesSerializer(serializers.ModelSerializer):
    """Offices appear by code, the clerks' name for them."""

    origin_office = serializers.SlugRelatedField(slug_field="code", read_only=True)
    current_office = serializers.SlugRelatedField(slug_field="code", read_only=True)
    destination_office = serializers.SlugRelatedField(slug_field="code", read_only=True)


class PackageListSerializer(_PackageOfficesSerializer):
    """One row of a package list: what a clerk scans a list for."""

    class Meta:
        model = Package
        fields = [
            "tracking_number",
            "status",
            "service",
            "origin_office",
            "current_office",
            "destination_office",
            "sender_name",
            "receiver_name",
            "weight_grams",
            "created_at",
            "accepted_at",
            "expected_delivery_at",
            "delivered_at",
            "returning",
        ]
        read_only_fields = fields


class PackageDetailSerializer(_PackageOfficesSerializer):
    sender = SenderSerializer(source="*", read_only=True)
    receiver = ReceiverSerializer(source="*", read_only=True)
    cost = PackageCostSerializer(source="*", read_only=True)
    events = EventSerializer(many=True, read_only=True)

    class Meta:
        model = Package
        fields = [
            "tracking_number",
            "status",
            "service",
            "origin_office",
            "current_office",
            "destination_office",
            "weight_grams",
            "length_cm",
            "width_cm",
            "height_cm",
            "declared_value",
            "currency",
            "collection_code_requested",
            "sender",
            "receiver",
            "cost",
            "created_at",
            "accepted_at",
            "expected_delivery_at",
            "delivered_at",
            "received_by",
            "returning",
            "events",
        ]
        read_only_fields = fields


# --- public tracking (redacted) -----------------------------------------------


class PlaceSerializer(serializers.Serializer):
    """City and country only: never a street, a name or a phone number."""

    city = serializers.CharField()
    country = serializers.CharField()


class PublicEventSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Status.choices)
    occurred_at = serializers.DateTimeField()
    office_city = serializers.CharField(allow_null=True)
    description = serializers.CharField()


class PublicTrackingSerializer(serializers.Serializer):
    """A shipments.selectors.PublicTracking: redacted by the selector."""

    tracking_number = serializers.CharField()
    status = serializers.ChoiceField(choices=Status.choices)
    status_label = serializers.CharField()
    service = serializers.ChoiceField(choices=Service.choices)
    origin = PlaceSerializer()
    destination = PlaceSerializer()
    expected_delivery_at = serializers.DateTimeField(allow_null=True)
    delivered_at = serializers.DateTimeField(allow_null=True)
    returning = serializers.BooleanField(help_text='On its way back to the sender ("Returning to sender").')
    events = PublicEventSerializer(many=True)
