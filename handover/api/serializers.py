"""The proof's fields of the delivery request, the proof as staff read it, and
the photo upload's request and answer."""

from decimal import Decimal

from rest_framework import serializers

from ..models import IdDocument, Proof, Relationship
from ..rules import MAX_SIGNATURE_BYTES, PHOTO_TYPES, ProofInput
from ..services import decode_signature

_MICRODEGREE = Decimal("0.000001")


class CoordinateField(serializers.DecimalField):
    """Degrees, finite and in range, kept to six decimals (about 10 cm)."""

    def __init__(self, limit: int, **kwargs):
        self.limit = limit
        super().__init__(max_digits=None, decimal_places=None, min_value=-limit, max_value=limit, **kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if abs(value) > self.limit:  # before quantize, which 1e30 would overflow
            raise serializers.ValidationError(f"Between -{self.limit} and {self.limit}.")
        return value.quantize(_MICRODEGREE)


class ProofFieldsSerializer(serializers.Serializer):
    """What the delivery event (``status: delivered``) takes besides the status:
    ignored for other statuses."""

    received_by = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default="", help_text="Who took the parcel (delivered)."
    )
    relationship = serializers.ChoiceField(
        choices=Relationship.choices, required=False, allow_blank=True, default="", help_text="Delivered: required."
    )
    id_document_type = serializers.ChoiceField(choices=IdDocument.choices, required=False, allow_blank=True, default="")
    id_document_last4 = serializers.RegexField(
        r"^([A-Za-z0-9]{4})?$",
        required=False,
        allow_blank=True,
        default="",
        help_text="The last four characters of the document only, never the whole number.",
    )
    signature_png = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=(MAX_SIGNATURE_BYTES * 4) // 3 + 100,
        help_text="The signature as a base64 PNG (at most 200 KB), or a data: URL of one.",
    )
    photo_key = serializers.CharField(
        max_length=300, required=False, allow_blank=True, default="", help_text="The key proof-uploads returned."
    )
    collection_code = serializers.CharField(
        max_length=6, required=False, allow_blank=True, default="", write_only=True, trim_whitespace=True
    )
    latitude = CoordinateField(90, required=False, allow_null=True, default=None)
    longitude = CoordinateField(180, required=False, allow_null=True, default=None)

    def validate_signature_png(self, value: str) -> bytes:
        if not value:
            return b""
        decoded = decode_signature(value)
        if decoded is None:
            raise serializers.ValidationError("Not base64.")
        return decoded

    PROOF_FIELDS = (
        "received_by",
        "relationship",
        "id_document_type",
        "id_document_last4",
        "signature_png",
        "photo_key",
        "collection_code",
        "latitude",
        "longitude",
    )

    @classmethod
    def proof_from(cls, data: dict) -> ProofInput:
        """The proof's values, taken out of ``data`` (what is left is the event's)."""
        return ProofInput(**{name: data.pop(name) for name in cls.PROOF_FIELDS})


class ProofSerializer(serializers.ModelSerializer):
    """A proof for staff: links that work for five minutes, the document's type only."""

    signature_url = serializers.SerializerMethodField()
    photo_url = serializers.SerializerMethodField()

    class Meta:
        model = Proof
        fields = [
            "status",
            "received_by",
            "relationship",
            "delivered_at",
            "signature_url",
            "photo_url",
            "id_document_type",
            "latitude",
            "longitude",
        ]
        read_only_fields = fields

    def get_signature_url(self, proof) -> str:
        return self.context["links"].get(proof.signature, "")

    def get_photo_url(self, proof) -> str | None:
        return self.context["links"].get(proof.photo) or None


class ProofUploadRequestSerializer(serializers.Serializer):
    content_type = serializers.ChoiceField(choices=[(kind, kind) for kind in PHOTO_TYPES])


class ProofUploadSerializer(serializers.Serializer):
    """An S3 presigned POST: post ``fields`` and then the file (as ``file``) to ``url``."""

    url = serializers.CharField()
    key = serializers.CharField(help_text="Send it as photo_key with the delivery.")
    max_bytes = serializers.IntegerField()

    def get_fields(self):
        # "fields" is a Serializer's own attribute, hence added here.
        fields = super().get_fields()
        fields["fields"] = serializers.DictField(child=serializers.CharField(), help_text="Form fields, in order.")
        return fields
