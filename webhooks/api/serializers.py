"""Webhook subscriptions and their delivery log as the API shows and takes them.
Field names are part of the contract (issue 24)."""

from rest_framework import serializers

from offices.models import Office
from shipments.statuses import Status
from webhooks.models import Attempt, Message, Subscription
from webhooks.rules import MAX_URL_LENGTH


class SubscriptionSerializer(serializers.ModelSerializer):
    url = serializers.CharField(max_length=MAX_URL_LENGTH, help_text="https:// endpoint (http:// outside production).")
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=Status.choices),
        required=False,
        max_length=len(Status.values),
        help_text="Statuses to send; empty or left out: every status.",
    )
    origin_offices = serializers.SlugRelatedField(
        slug_field="code",
        many=True,
        required=False,
        queryset=Office.objects.all(),
        help_text="Office codes: only packages leaving from them; empty: all packages.",
    )
    description = serializers.CharField(max_length=500, required=False, allow_blank=True)

    class Meta:
        model = Subscription
        fields = ["id", "url", "events", "origin_offices", "active", "description", "disabled_at", "disabled_reason"]
        read_only_fields = ["id", "disabled_at", "disabled_reason"]


class SubscriptionCreatedSerializer(SubscriptionSerializer):
    secret = serializers.CharField(read_only=True, help_text="whsec_...: shown this once; keep it to verify.")

    class Meta(SubscriptionSerializer.Meta):
        fields = [*SubscriptionSerializer.Meta.fields, "secret"]
        read_only_fields = [*SubscriptionSerializer.Meta.read_only_fields, "secret"]


class DeliverySerializer(serializers.ModelSerializer):
    """One attempt at one message: ``status_code`` is null when no answer came (see ``error``)."""

    webhook_id = serializers.CharField(source="message.webhook_id", read_only=True)
    event_type = serializers.CharField(source="message.event_type", read_only=True)
    state = serializers.ChoiceField(
        source="message.state", choices=Message.State.choices, read_only=True, help_text="The message's state."
    )

    class Meta:
        model = Attempt
        fields = [
            "webhook_id",
            "attempt",
            "status_code",
            "duration_ms",
            "created_at",
            "event_type",
            "state",
            "response",
            "error",
        ]
        read_only_fields = fields


class RedeliverSerializer(serializers.Serializer):
    webhook_id = serializers.CharField(max_length=40, required=False, help_text="One message, delivered or not.")
    since = serializers.DateTimeField(required=False, help_text="Every failed message created since then.")

    def validate(self, attrs):
        if ("webhook_id" in attrs) == ("since" in attrs):
            raise serializers.ValidationError({"non_field_errors": ["Give webhook_id or since (one of them)."]})
        return attrs


class RedeliveredSerializer(serializers.Serializer):
    redelivered = serializers.IntegerField(help_text="Messages due again now (the dispatcher sends them).")


class TestEventSerializer(serializers.Serializer):
    webhook_id = serializers.CharField()
    state = serializers.ChoiceField(choices=Message.State.choices)
    deliveries = DeliverySerializer(many=True, source="attempt_log.all")


class SecretSerializer(serializers.Serializer):
    secret = serializers.CharField(help_text="The new whsec_... secret: shown this once.")
    previous_secret_until = serializers.DateTimeField(help_text="Until then the old secret signs too.")
