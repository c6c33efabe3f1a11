"""Forms of the counter pages in the admin: register, scan, record one event, report.

They only check input (types, required fields); the rules of the network are
checked by the services, whose ShipmentError is turned back into form errors
with ``add_shipment_error``.
"""

from decimal import Decimal

from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.widgets import AdminDateWidget, AutocompleteSelect

from counter.forms import PAYMENT_DETAIL_FIELDS, PAYMENT_FIELD_NAMES, payment_fields, tender_from
from offices import access
from offices.models import Office

from ..days import day_out_of_range
from ..exceptions import ShipmentError
from ..models import Package, Service
from ..rules import parcel_problems, party_problems
from ..statuses import Reason, Status
from ..step_rules import event_detail_problems, handover_problems
from ..values import Address, Parcel, Party

PARTY_FIELDS = ("name", "phone", "email", "line1", "line2", "city", "region", "postal_code", "country")
# The counter form's field names for the keys of ShipmentError.details.
_DETAIL_FIELDS = {
    f"{role}.{key}": f"{role}_{key.removeprefix('address.')}"
    for role in ("sender", "receiver")
    for key in ("name", "phone", "email", "address.line1", "address.city", "address.country")
} | PAYMENT_DETAIL_FIELDS

MAX_SCAN_LINES = 500


def add_shipment_error(form: forms.Form, error: ShipmentError) -> None:
    """Show a service's refusal on the form: per field where it names one, else on top."""
    for key, message in (error.details or {}).items():
        field = _DETAIL_FIELDS.get(key, key)
        if field in form.fields and isinstance(message, str):
            form.add_error(field, message)
    form.add_error(None, error.message)


def _party_fields(role: str) -> dict[str, forms.Field]:
    # Names and address lines are stripped by the service (shipments.rules.registered_text keeps a tab before =).
    title = role.capitalize()
    return {
        f"{role}_name": forms.CharField(label=f"{title} name", max_length=200, strip=False),
        f"{role}_phone": forms.CharField(label="Phone", max_length=40, required=False),
        f"{role}_email": forms.EmailField(label="Email", required=False),
        f"{role}_line1": forms.CharField(label="Street address", max_length=200, strip=False),
        f"{role}_line2": forms.CharField(label="Address line 2", max_length=200, required=False, strip=False),
        f"{role}_city": forms.CharField(label="City", max_length=100, strip=False),
        f"{role}_region": forms.CharField(label="State / region", max_length=100, required=False, strip=False),
        f"{role}_postal_code": forms.CharField(label="Postal code", max_length=20, required=False, strip=False),
        f"{role}_country": forms.CharField(
            label="Country", max_length=2, initial="US", help_text="Two-letter code, e.g. US."
        ),
        f"{role}_notify_sms": forms.BooleanField(label="Text messages (SMS)", required=False),
        f"{role}_notify_email": forms.BooleanField(label="Emails", required=False),
    }


class OfficeAutocompleteSelect(AutocompleteSelect):
    """The admin's office autocomplete, redrawing a form whose office value is
    not an office id (typed into the post by hand) as no choice instead of
    failing on the lookup of the selected option."""

    def optgroups(self, name, value, attr=None):
        ids = [item for item in value if str(item).isascii() and str(item).isdigit() and int(item) < 2**63]
        return super().optgroups(name, ids, attr)


class PackageRegisterForm(forms.Form):
    """The counter form: who sends what to whom, and how."""

    origin_office = forms.ModelChoiceField(queryset=Office.objects.none(), empty_label=None)
    destination_office = forms.ModelChoiceField(queryset=Office.objects.active())
    service = forms.ChoiceField(choices=Service.choices, initial=Service.STANDARD)
    weight_grams = forms.IntegerField(label="Weight (g)", min_value=1)
    length_cm = forms.IntegerField(label="Length (cm)", min_value=1)
    width_cm = forms.IntegerField(label="Width (cm)", min_value=1)
    height_cm = forms.IntegerField(label="Height (cm)", min_value=1)
    declared_value = forms.DecimalField(
        label="Declared value",
        min_value=0,
        max_digits=12,
        decimal_places=2,
        initial=Decimal("0"),
        required=False,
        help_text=f"In {settings.PRICING_CURRENCY}; insured for this amount.",
    )
    accept = forms.BooleanField(label="Parcel handed over now (record it as accepted)", required=False, initial=True)
    collection_code_requested = forms.BooleanField(
        label="Hand over only against a collection code",
        required=False,
        help_text="A code is sent to the receiver; parcels worth more than the network's threshold get one anyway.",
    )
    # The total the clerk was shown; registering at another price asks again.
    quoted_total = forms.DecimalField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(_party_fields("sender"))
        self.fields.update(_party_fields("receiver"))
        self.fields.update(payment_fields())  # the payment block (counter.forms)
        self.fields["origin_office"].queryset = access.offices_to_act_at(user)
        if not self.is_bound:
            office = access.default_office(user)
            if office is not None:
                self.fields["origin_office"].initial = office.pk
        destination = self.fields["destination_office"]
        destination.widget = OfficeAutocompleteSelect(Package._meta.get_field("destination_office"), admin.site)
        destination.widget.choices = destination.choices

    def clean(self):
        cleaned = super().clean()
        for role in ("sender", "receiver"):
            key = f"{role}_country"
            if cleaned.get(key):
                cleaned[key] = cleaned[key].strip().upper()
        if cleaned.get("declared_value") is None:
            cleaned["declared_value"] = Decimal("0")
        # The registration's own rules, at the quote already, and all of them
        # at once: a 90 kg parcel whose sender wants SMS without a phone shows
        # both problems, not one and then the other. Each rule runs over the
        # parts whose fields were typed correctly.
        problems = []
        parcel_fields = ("weight_grams", "length_cm", "width_cm", "height_cm", "declared_value")
        if not any(name in self.errors for name in parcel_fields):
            problems += parcel_problems(**{name: cleaned[name] for name in parcel_fields})
        for role in ("sender", "receiver"):
            if not any(f"{role}_{key}" in self.errors for key in (*PARTY_FIELDS, "notify_sms", "notify_email")):
                problems += party_problems(role, self.party(role))
        for problem in problems:
            field = _DETAIL_FIELDS.get(problem.field, problem.field)
            if field in self.fields and field not in self.errors:
                self.add_error(field, problem.message)
        return cleaned

    def party(self, role: str) -> Party:
        data = self.cleaned_data
        return Party(
            name=data[f"{role}_name"],
            phone=data[f"{role}_phone"],
            email=data[f"{role}_email"],
            notify_sms=data[f"{role}_notify_sms"],
            notify_email=data[f"{role}_notify_email"],
            address=Address(
                line1=data[f"{role}_line1"],
                line2=data[f"{role}_line2"],
                city=data[f"{role}_city"],
                region=data[f"{role}_region"],
                postal_code=data[f"{role}_postal_code"],
                country=data[f"{role}_country"],
            ),
        )

    def parcel(self) -> Parcel:
        data = self.cleaned_data
        return Parcel(
            origin_office=data["origin_office"],
            destination_office=data["destination_office"],
            service=data["service"],
            weight_grams=data["weight_grams"],
            length_cm=data["length_cm"],
            width_cm=data["width_cm"],
            height_cm=data["height_cm"],
            declared_value=data["declared_value"],
        )

    def register_arguments(self) -> dict:
        """The keyword arguments of ``counter.registration.register_at_counter`` (but the actor)."""
        return {
            "parcel": self.parcel(),
            "sender": self.party("sender"),
            "receiver": self.party("receiver"),
            "accept": self.cleaned_data["accept"],
            "collection_code_requested": self.cleaned_data["collection_code_requested"],
            "payment": tender_from(self.cleaned_data),
            "cod_amount": self.cleaned_data.get("cod_amount") or Decimal("0"),
        }

    @property
    def payment_fields(self):
        return [self[name] for name in PAYMENT_FIELD_NAMES]

    @property
    def focus_id(self) -> str:
        """Where the cursor starts: the first field to correct, else the
        destination (the origin is the clerk's office already)."""
        name = next((name for name in self.fields if name in self.errors), "destination_office")
        return self[name].id_for_label

    # Bound fields of each party, for the template's two columns.
    @property
    def sender_fields(self):
        return [self[f"sender_{key}"] for key in PARTY_FIELDS]

    @property
    def receiver_fields(self):
        return [self[f"receiver_{key}"] for key in PARTY_FIELDS]

    @property
    def sender_notify(self):
        return [self["sender_notify_sms"], self["sender_notify_email"]]

    @property
    def receiver_notify(self):
        return [self["receiver_notify_sms"], self["receiver_notify_email"]]


SCAN_STATUSES = [(status.value, status.label) for status in Status if status != Status.CREATED]


class EventDetailsForm(forms.Form):
    """What recording a step may need besides the status: reason, receiver, note."""

    reason = forms.ChoiceField(choices=[("", "—")] + list(Reason.choices), required=False)
    received_by = forms.CharField(
        label="Received by", max_length=200, required=False, help_text="Name of the person who took the parcel."
    )
    note = forms.CharField(max_length=500, required=False)

    def clean(self):
        # The service's own rule, asked before any package is touched, so a
        # batch with a missing or stray reason is refused whole with the
        # scanned numbers kept in the box.
        cleaned = super().clean()
        if cleaned.get("status"):
            for problem in event_detail_problems(
                status=cleaned["status"], reason=cleaned.get("reason", ""), received_by=cleaned.get("received_by", "")
            ):
                if problem.field in self.fields:
                    self.add_error(problem.field, problem.sentence or problem.message)
            for problem in handover_problems(status=cleaned["status"], by_person=True, with_proof=False):
                self.add_error("status", problem.sentence)
        return cleaned


class ScanForm(EventDetailsForm):
    """A barcode scanner types one tracking number per line into ``tracking_numbers``."""

    status = forms.ChoiceField(label="Action", choices=SCAN_STATUSES, initial=Status.ARRIVED)
    tracking_numbers = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 12, "cols": 30, "autofocus": True, "spellcheck": "false"}),
        help_text=f"One per line, as the scanner types them (up to {MAX_SCAN_LINES}).",
    )
    field_order = ["status", "reason", "received_by", "note", "tracking_numbers"]

    def clean_tracking_numbers(self):
        lines = [line.strip() for line in self.cleaned_data["tracking_numbers"].splitlines()]
        lines = [line for line in lines if line]
        if not lines:
            raise forms.ValidationError("Scan or type at least one tracking number.")
        if len(lines) > MAX_SCAN_LINES:
            raise forms.ValidationError(
                f"{len(lines)} numbers at once is too many: scan at most {MAX_SCAN_LINES} per batch."
            )
        return lines


class RecordEventForm(EventDetailsForm):
    """One button of the package page: the next status, at one of the clerk's offices."""

    status = forms.ChoiceField(choices=SCAN_STATUSES)
    office = forms.ModelChoiceField(queryset=Office.objects.none(), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["office"].queryset = access.offices_to_act_at(user)


def _day_in_range(day) -> None:
    problem = day_out_of_range(day)
    if problem:
        raise forms.ValidationError(problem)


class ReportForm(forms.Form):
    date_from = forms.DateField(label="From", widget=AdminDateWidget, validators=[_day_in_range])
    date_to = forms.DateField(
        label="To", widget=AdminDateWidget, help_text="Both days included.", validators=[_day_in_range]
    )
