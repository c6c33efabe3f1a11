"""Output serializers of the day close and the COD remittance list."""

from django.core.exceptions import ObjectDoesNotExist
from rest_framework import serializers

from shipments.models import Digits

from .serializers import TillSerializer

TOTAL: Digits = {"max_digits": 14, "decimal_places": 2}


class MethodTotalsSerializer(serializers.Serializer):
    cash = serializers.DecimalField(**TOTAL)
    card = serializers.DecimalField(**TOTAL)
    prepaid = serializers.DecimalField(**TOTAL)


class DayCloseSerializer(serializers.Serializer):
    closed_at = serializers.DateTimeField()
    closed_by = serializers.CharField(source="closed_by.username")


class OfficeDaySerializer(serializers.Serializer):
    """A counter.days.DaySummary: money in ``currency``; refunds are negative."""

    office = serializers.CharField(source="key", help_text="The office code, or network.")
    date = serializers.DateField(source="day")
    currency = serializers.CharField()
    by_method = MethodTotalsSerializer(help_text="Net money in per method (payments, COD, refunds, corrections).")
    total = serializers.DecimalField(**TOTAL)
    payments = serializers.DecimalField(**TOTAL)
    refunds = serializers.DecimalField(**TOTAL)
    corrections = serializers.DecimalField(**TOTAL)
    cod_collected = serializers.DecimalField(**TOTAL)
    cod_count = serializers.IntegerField()
    payment_count = serializers.IntegerField()
    variance = serializers.DecimalField(**TOTAL, help_text="The tills' counted minus expected, summed.")
    parcels_registered = serializers.IntegerField()
    open_tills = serializers.IntegerField()
    tills = TillSerializer(many=True)
    closed = DayCloseSerializer(allow_null=True, help_text="Null while the day is open.")


class DaySummarySerializer(OfficeDaySerializer):
    offices = OfficeDaySerializer(many=True, help_text="The network's day: each office's (empty for one office).")


class RemittanceSerializer(serializers.Serializer):
    """A COD collection owed to its sender, and its pay-out once made."""

    id = serializers.IntegerField(help_text="The COD payment's id (POST remittances/{id}/pay/).")
    tracking_number = serializers.CharField(source="package.tracking_number")
    origin_office = serializers.CharField(source="package.origin_office.code")
    sender_name = serializers.CharField(source="package.sender_name")
    collected_at = serializers.DateTimeField(source="recorded_at")
    collected_office = serializers.CharField(source="office.code")
    amount = serializers.DecimalField(**TOTAL)
    currency = serializers.CharField()
    bank_reference = serializers.SerializerMethodField()

    def get_bank_reference(self, payment) -> str | None:
        try:
            return str(payment.remittance.bank_reference)
        except ObjectDoesNotExist:  # not paid out yet (selected with the payment: no query)
            return None
