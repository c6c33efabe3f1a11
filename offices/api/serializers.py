"""Offices as the API shows them (read-only: offices are set up by HQ in the admin)."""

from rest_framework import serializers

from offices.models import Location, Office


class AddressSerializer(serializers.ModelSerializer):
    class Meta:
        model = Location
        fields = ["line1", "line2", "city", "region", "postal_code", "country", "latitude", "longitude"]
        read_only_fields = fields


class OfficeSerializer(serializers.ModelSerializer):
    address = AddressSerializer(source="location", read_only=True)
    # Not an EmailField: offices without an address have "" (the schema must allow it).
    email = serializers.CharField(read_only=True)

    class Meta:
        model = Office
        fields = [
            "code",
            "name",
            "exchange_code",
            "address",
            "phone",
            "email",
            "time_zone",
            "opening_hours",
            "is_active",
            "holding_days",
        ]
        read_only_fields = fields
