"""The delivery page's form: the proof as a clerk records it at the counter or
at the door, with the signature drawn on the pad (static/handover/signature-pad.js)."""

from django import forms

from .models import IdDocument, Relationship
from .rules import MAX_PHOTO_BYTES, ProofInput
from .services import decode_signature


class DeliveryForm(forms.Form):
    received_by = forms.CharField(label="Received by", max_length=200, help_text="The name of the person taking it.")
    relationship = forms.ChoiceField(label="Who they are", choices=Relationship.choices)
    id_document_type = forms.ChoiceField(
        label="Identity document checked", choices=[("", "—")] + list(IdDocument.choices), required=False
    )
    id_document_last4 = forms.CharField(
        label="Its last four characters",
        max_length=4,
        required=False,
        help_text="Never the whole number.",
        widget=forms.TextInput(attrs={"size": 5, "autocomplete": "off"}),
    )
    signature_png = forms.CharField(widget=forms.HiddenInput, required=False)
    photo = forms.FileField(
        label="Photo (optional)",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png", "capture": "environment"}),
        help_text="A JPEG or PNG of at most 10 MB.",
    )
    collection_code = forms.CharField(
        label="Collection code",
        max_length=6,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "size": 8}),
        help_text="The six digits the receiver was sent.",
    )
    note = forms.CharField(max_length=500, required=False)

    def __init__(self, *args, needs, **kwargs):
        super().__init__(*args, **kwargs)
        if not needs.code:
            del self.fields["collection_code"]
        if needs.document:
            self.fields[
                "id_document_type"
            ].help_text = "Required: this parcel needs a collection code, and its receiver asked for no messages."

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        if photo and photo.size > MAX_PHOTO_BYTES:
            raise forms.ValidationError("The photo is larger than 10 MB.")
        return photo

    def proof(self, photo_key: str = "") -> ProofInput:
        data = self.cleaned_data
        return ProofInput(
            received_by=data["received_by"],
            relationship=data["relationship"],
            id_document_type=data["id_document_type"],
            id_document_last4=data["id_document_last4"],
            signature_png=decode_signature(data["signature_png"]) or b"",
            photo_key=photo_key,
            collection_code=data.get("collection_code", ""),
        )
