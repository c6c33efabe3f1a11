"""The forms of the bag pages: input only; the rules are the services'."""

from django import forms

from dispatches.identifiers import MAX_WEIGHT_KG, MIN_WEIGHT_KG
from dispatches.models import Category
from offices.models import Office

MAX_LINES = 500


def _lines(text: str) -> list[str]:
    lines = [line.strip() for line in text.splitlines()]
    lines = [line for line in lines if line]
    if len(lines) > MAX_LINES:
        raise forms.ValidationError(f"{len(lines)} numbers at once is too many: scan at most {MAX_LINES}.")
    return lines


class OpenBagForm(forms.Form):
    origin_office = forms.ModelChoiceField(queryset=Office.objects.none(), label="From (this office)")
    destination_office = forms.ModelChoiceField(
        queryset=Office.objects.filter(is_active=True), label="To", help_text="The parcels' destination, or a hub."
    )
    category = forms.ChoiceField(choices=Category.choices, help_text="A for express and overnight, C for standard.")

    def __init__(self, *args, offices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["origin_office"].queryset = offices
        if offices.count() == 1:
            self.fields["origin_office"].initial = offices.first()


class ScanIntoBagForm(forms.Form):
    tracking_numbers = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 8, "cols": 30, "autofocus": True, "spellcheck": "false"}),
        help_text="One per line, as the scanner types them.",
    )

    def clean_tracking_numbers(self):
        lines = _lines(self.cleaned_data["tracking_numbers"])
        if not lines:
            raise forms.ValidationError("Scan or type at least one tracking number.")
        return lines


class CloseBagForm(forms.Form):
    weight_kg = forms.DecimalField(
        label="Gross weight (kg)", max_digits=4, decimal_places=1, min_value=MIN_WEIGHT_KG, max_value=MAX_WEIGHT_KG
    )
    seal = forms.CharField(max_length=40, label="Seal number")


class ReceiveForm(forms.Form):
    identifier = forms.CharField(
        label="Bag identifier (S9)",
        max_length=60,
        widget=forms.TextInput(attrs={"autofocus": True, "size": 40, "spellcheck": "false"}),
        help_text="Scan the bag label's barcode.",
    )


class CheckBagForm(forms.Form):
    found = forms.CharField(
        label="Parcels found in the bag",
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "cols": 30, "spellcheck": "false"}),
        help_text="Scan every parcel found, one per line.",
    )
    weight_kg = forms.DecimalField(
        label="Weighed (kg)",
        required=False,
        max_digits=4,
        decimal_places=1,
        min_value=MIN_WEIGHT_KG,
        max_value=MAX_WEIGHT_KG,
    )

    def clean_found(self):
        return _lines(self.cleaned_data["found"])
