"""Bags, dispatches and discrepancies as the API shows and takes them. Field
names are part of the contract (issue 21): offices by code, identifiers as S9/S8."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from dispatches.identifiers import MAX_WEIGHT_KG, MIN_WEIGHT_KG
from dispatches.models import Bag, BagEvent, Category, Discrepancy, Dispatch
from offices.models import Office

MAX_NUMBERS = 1000  # a bag is filled by scans: a thousand numbers is far more than one bag holds


class _WeightField(serializers.DecimalField):
    def __init__(self, **kwargs):
        super().__init__(max_digits=4, decimal_places=1, min_value=MIN_WEIGHT_KG, max_value=MAX_WEIGHT_KG, **kwargs)


class TimelineSerializer(serializers.ModelSerializer):
    office = serializers.SlugRelatedField(slug_field="code", read_only=True)
    actor = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = BagEvent
        fields = ["kind", "office", "actor", "occurred_at", "note"]
        read_only_fields = fields


class BagSerializer(serializers.ModelSerializer):
    """A bag: ``id`` is its own key, ``identifier`` its S9 (null while open)."""

    origin_office = serializers.SlugRelatedField(slug_field="code", read_only=True)
    destination_office = serializers.SlugRelatedField(slug_field="code", read_only=True)
    dispatch = serializers.SlugRelatedField(slug_field="identifier", read_only=True, allow_null=True)
    parcels = serializers.SerializerMethodField(help_text="Tracking numbers on the bag's list.")
    weight_kg = serializers.DecimalField(max_digits=4, decimal_places=1, read_only=True, allow_null=True)

    class Meta:
        model = Bag
        fields = [
            "id",
            "identifier",
            "state",
            "origin_office",
            "destination_office",
            "category",
            "weight_kg",
            "seal",
            "registered",
            "parcels",
            "dispatch",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_parcels(self, bag: Bag) -> list[str]:
        return [item.package.tracking_number for item in bag.listed]  # type: ignore[attr-defined]


class DiscrepancySerializer(serializers.ModelSerializer):
    bag = serializers.SlugRelatedField(slug_field="identifier", read_only=True)
    tracking_number = serializers.CharField(source="package.tracking_number", read_only=True)
    office = serializers.SlugRelatedField(slug_field="code", read_only=True)
    origin_office = serializers.CharField(source="bag.origin_office.code", read_only=True)
    destination_office = serializers.CharField(source="bag.destination_office.code", read_only=True)

    class Meta:
        model = Discrepancy
        fields = [
            "bag",
            "kind",
            "tracking_number",
            "office",
            "origin_office",
            "destination_office",
            "recorded_at",
            "note",
        ]
        read_only_fields = fields


class BagDetailSerializer(BagSerializer):
    timeline = TimelineSerializer(source="events", many=True, read_only=True)
    weighed_kg = serializers.DecimalField(max_digits=4, decimal_places=1, read_only=True, allow_null=True)
    discrepancies = DiscrepancySerializer(many=True, read_only=True)

    class Meta(BagSerializer.Meta):
        fields = [*BagSerializer.Meta.fields, "weighed_kg", "timeline", "discrepancies"]
        read_only_fields = fields


class BagCreateSerializer(serializers.Serializer):
    origin_office = serializers.SlugRelatedField(slug_field="code", queryset=Office.objects.all())
    destination_office = serializers.SlugRelatedField(slug_field="code", queryset=Office.objects.all())
    category = serializers.ChoiceField(choices=Category.choices, help_text="A: express and overnight; C: standard.")


class TrackingNumbersSerializer(serializers.Serializer):
    tracking_numbers = serializers.ListField(
        child=serializers.CharField(max_length=40), min_length=1, max_length=MAX_NUMBERS
    )


class AddResultSerializer(serializers.Serializer):
    tracking_number = serializers.CharField()
    outcome = serializers.ChoiceField(choices=["added", "refused", "repeated"])
    message = serializers.CharField()


class AddResultsSerializer(serializers.Serializer):
    results = AddResultSerializer(many=True)


class CloseSerializer(serializers.Serializer):
    weight_kg = _WeightField(help_text="Gross weight in kg, one decimal, 0.1–999.8.")
    seal = serializers.CharField(max_length=40)


class ReceiveSerializer(serializers.Serializer):
    office = serializers.SlugRelatedField(
        slug_field="code", queryset=Office.objects.all(), required=False, help_text="Default: your office."
    )


class CheckSerializer(serializers.Serializer):
    found = serializers.ListField(child=serializers.CharField(max_length=40), max_length=MAX_NUMBERS)
    weight_kg = _WeightField(required=False, allow_null=True, help_text="Weighed on arrival.")


class CheckResultSerializer(serializers.Serializer):
    bag = serializers.CharField(source="bag.identifier")
    missing = serializers.ListField(child=serializers.CharField())
    extra = serializers.ListField(child=serializers.CharField())
    declared_weight_kg = serializers.DecimalField(source="declared_kg", max_digits=4, decimal_places=1)
    weighed_weight_kg = serializers.DecimalField(source="weighed_kg", max_digits=4, decimal_places=1, allow_null=True)
    notes = serializers.DictField(child=serializers.CharField(), help_text="What was done with each extra parcel.")


class DispatchCreateSerializer(serializers.Serializer):
    bags = serializers.ListField(
        child=serializers.CharField(max_length=40), min_length=1, max_length=999, help_text="Bag ids or S9s."
    )


class DispatchSerializer(serializers.ModelSerializer):
    origin_office = serializers.SlugRelatedField(slug_field="code", read_only=True)
    destination_office = serializers.SlugRelatedField(slug_field="code", read_only=True)
    bags = BagSerializer(many=True, read_only=True)
    timeline = TimelineSerializer(source="events", many=True, read_only=True)

    class Meta:
        model = Dispatch
        fields = [
            "identifier",
            "state",
            "origin_office",
            "destination_office",
            "category",
            "dispatched_at",
            "bags",
            "timeline",
        ]
        read_only_fields = fields
