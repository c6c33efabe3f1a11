"""Serializers of the counter's money API: one per direction. Amounts are
decimal strings; DRF's DecimalField refuses NaN, infinities and more digits
than a money column holds, and the services check the counter's rules
(counter.rules) again, so a 400 names the field whichever layer found it."""

from decimal import Decimal

from rest_framework import serializers

from shipments.models import Digits

from ..models import Method, Payment, Till
from ..services import Tender

MONEY: Digits = {"max_digits": 12, "decimal_places": 2}
TOTAL: Digits = {"max_digits": 14, "decimal_places": 2}


class TenderInputSerializer(serializers.Serializer):
    """How the customer paid: what the counter's terminal or drawer says."""

    method = serializers.ChoiceField(choices=Method.choices)
    amount_tendered = serializers.DecimalField(
        **MONEY, min_value=Decimal("0.01"), required=False, allow_null=True, default=None, help_text="Cash handed over."
    )
    reference = serializers.CharField(
        max_length=100,
        required=False,
        allow_blank=True,
        default="",
        help_text="Card authorisation or prepaid reference.",
    )
    # Longer than four so that a card number typed here is refused as one (counter.rules), not as "too long".
    card_last4 = serializers.CharField(
        max_length=30, required=False, allow_blank=True, default="", help_text="The card's last four digits only."
    )
    currency = serializers.CharField(min_length=3, max_length=3, required=False, allow_null=True, default=None)

    @staticmethod
    def to_tender(data: dict) -> Tender:
        return Tender(**data)


class PaymentCreateSerializer(TenderInputSerializer):
    """A payment recorded after registration: an unpaid parcel's, a COD collection, a refund, a correction."""

    kind = serializers.ChoiceField(choices=Payment.Kind.choices, default=Payment.Kind.PAYMENT)
    amount = serializers.DecimalField(
        **MONEY,
        required=False,
        allow_null=True,
        default=None,
        help_text="Default: what is still due (a payment), everything paid (a refund), the COD amount. "
        "Positive, but a correction's, which is signed.",
    )
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")

    def service_arguments(self) -> dict:
        data = dict(self.validated_data)
        kind, amount, reason = data.pop("kind"), data.pop("amount"), data.pop("reason")
        return {"kind": kind, "amount": amount, "reason": reason, "tender": Tender(**data)}


class PaymentSerializer(serializers.ModelSerializer):
    office = serializers.SlugRelatedField(slug_field="code", read_only=True)
    clerk = serializers.SlugRelatedField(slug_field="username", read_only=True)
    change_given = serializers.DecimalField(**MONEY, source="change", allow_null=True, read_only=True)

    class Meta:
        model = Payment
        fields = [
            "kind",
            "method",
            "amount",
            "currency",
            "tendered",
            "change_given",
            "reference",
            "card_last4",
            "office",
            "till",
            "clerk",
            "recorded_at",
            "reason",
        ]
        read_only_fields = fields


class PaymentStateSerializer(serializers.Serializer):
    """A package's money: ``label`` as the counter shows it ("Paid (cash)")."""

    label = serializers.CharField()  # type: ignore[assignment]
    due = serializers.DecimalField(**MONEY)
    paid = serializers.DecimalField(**MONEY)
    currency = serializers.CharField()
    method = serializers.CharField(help_text="How the price was paid; empty while unpaid.")
    cod_amount = serializers.DecimalField(**MONEY)
    cod_collected = serializers.BooleanField()


class PackagePaymentsSerializer(serializers.Serializer):
    state = PaymentStateSerializer(allow_null=True, help_text="Null for a parcel outside the counter's money.")
    payments = PaymentSerializer(many=True)


class TillOpenSerializer(serializers.Serializer):
    office = serializers.CharField(max_length=10, help_text="Office code, e.g. NYC01.")
    float = serializers.DecimalField(**MONEY, min_value=Decimal("0"), help_text="The counted opening float.")


class TillCloseSerializer(serializers.Serializer):
    counted = serializers.DecimalField(
        **MONEY, min_value=Decimal("0"), required=False, allow_null=True, default=None, help_text="The drawer's total."
    )
    denominations = serializers.DictField(
        child=serializers.IntegerField(min_value=0, max_value=100_000),
        required=False,
        default=dict,
        help_text='Pieces per denomination, e.g. {"20.00": 3, "0.25": 4}.',
    )
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class TillSerializer(serializers.ModelSerializer):
    office = serializers.SlugRelatedField(slug_field="code", read_only=True)
    clerk = serializers.SlugRelatedField(slug_field="username", read_only=True)
    float = serializers.DecimalField(**MONEY, source="opening_float", read_only=True)
    state = serializers.SerializerMethodField()

    class Meta:
        model = Till
        fields = [
            "id",
            "office",
            "clerk",
            "state",
            "day",
            "opened_at",
            "float",
            "currency",
            "closed_at",
            "expected",
            "counted",
            "variance",
            "denominations",
            "note",
        ]
        read_only_fields = fields

    def get_state(self, till) -> str:
        return "open" if till.is_open else "closed"
