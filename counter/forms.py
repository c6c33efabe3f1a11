"""The payment block of the counter's register form (and the till pages'
forms). They check types only; the rules are counter.rules, asked by the services."""

from decimal import Decimal

from django import forms
from django.conf import settings

from .models import Method
from .services import Tender

# The register form's field names for the keys of a money ShipmentError's details.
PAYMENT_DETAIL_FIELDS = {
    "payment": "payment_method",
    "payment.method": "payment_method",
    "payment.reference": "payment_reference",
    "payment.amount_tendered": "amount_tendered",
    "payment.card_last4": "card_last4",
    "payment.currency": "payment_method",
    "cod_amount": "cod_amount",
}
PAYMENT_FIELD_NAMES = ("payment_method", "amount_tendered", "payment_reference", "card_last4")


def _money_field(label: str, **kwargs) -> forms.DecimalField:
    return forms.DecimalField(label=label, max_digits=12, decimal_places=2, required=False, **kwargs)


def payment_fields() -> dict[str, forms.Field]:
    currency = settings.PRICING_CURRENCY
    return {
        "payment_method": forms.ChoiceField(
            label="Paid by",
            choices=[*Method.choices, ("", "Not paid yet (where the office allows it)")],
            required=False,
            initial=Method.CASH,
        ),
        "amount_tendered": _money_field("Cash handed over", min_value=0, help_text=f"In {currency}."),
        "payment_reference": forms.CharField(
            label="Reference",
            max_length=100,
            required=False,
            help_text="The card terminal's authorisation, or the prepaid postage's.",
        ),
        "card_last4": forms.CharField(
            label="Card's last 4 digits", max_length=30, required=False, help_text="Never the card number."
        ),
        "cod_amount": _money_field(
            "Cash on delivery",
            min_value=0,
            initial=Decimal("0"),
            help_text=f"The receiver pays this on delivery, in {currency}.",
        ),
    }


def tender_from(data: dict) -> Tender | None:
    """The payment the form describes, or None for "not paid yet"."""
    method = data.get("payment_method") or ""
    if not method:
        return None
    return Tender(
        method=method,
        amount_tendered=data.get("amount_tendered") if method == Method.CASH else None,
        reference=data.get("payment_reference") or "",
        card_last4=(data.get("card_last4") or "").strip(),
    )


# The fields of a money problem (counter.rules, counter.services) → the fields of a payment block.
MONEY_FIELDS = {
    "method": "payment_method",
    "amount_tendered": "amount_tendered",
    "reference": "payment_reference",
    "card_last4": "card_last4",
    "amount": "payment_method",
    "kind": "payment_method",
    "currency": "payment_method",
    "payment": "payment_method",
}


def add_money_error(form: forms.Form, field: str, message: str) -> bool:
    """Put ``message`` at the field of ``form`` that ``field`` (a money problem's) names; False when none does."""
    name = MONEY_FIELDS.get(field)
    if name is None or name not in form.fields:
        return False
    form.add_error(name, message)
    return True


class RefundForm(forms.Form):
    """The cancellation page's refund: how what the sender paid goes back
    (cash out of the clerk's open till, a card refund's reference)."""

    payment_method = forms.ChoiceField(label="Pay back by", choices=Method.choices)
    payment_reference = forms.CharField(
        label="Refund reference",
        max_length=100,
        required=False,
        help_text="The card terminal's refund reference (for prepaid postage: its reference). Never a card number.",
    )

    def tender(self) -> Tender:
        return Tender(method=self.cleaned_data["payment_method"], reference=self.cleaned_data["payment_reference"])


class CodForm(forms.Form):
    """The delivery page's cash on delivery: the receiver pays in cash (what
    they hand over, the change shown) or by card (authorisation, last four)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        fields = payment_fields()
        method = fields["payment_method"]
        method.label = "Paid by"
        method.choices = [("", "Choose…"), (Method.CASH, Method.CASH.label), (Method.CARD, Method.CARD.label)]
        method.initial = ""
        fields["payment_reference"].label = "Authorisation"
        fields["payment_reference"].help_text = "The card terminal's authorisation reference."
        for name in PAYMENT_FIELD_NAMES:
            self.fields[name] = fields[name]

    def tender(self) -> Tender | None:
        return tender_from(self.cleaned_data)
