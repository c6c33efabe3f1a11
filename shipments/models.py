"""Packages, their append-only tracking timeline, tariffs and charges."""

from datetime import datetime
from typing import TypedDict

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from offices.models import Location, Office

from .statuses import FINAL_STATUSES, Reason, Status


class Service(models.TextChoices):
    STANDARD = "standard", "Standard"
    EXPRESS = "express", "Express"
    OVERNIGHT = "overnight", "Overnight"


# UPU S10 service indicators (the two leading letters of a tracking number).
SERVICE_INDICATORS: dict[str, str] = {
    Service.STANDARD: "CP",
    Service.EXPRESS: "EE",
    Service.OVERNIGHT: "EX",
}


class Digits(TypedDict):
    """The size of a money column: typed, so ``**MONEY`` checks like the two keywords."""

    max_digits: int
    decimal_places: int


MONEY: Digits = {"max_digits": 12, "decimal_places": 2}


class Tariff(models.Model):
    """The price list of one service: what a quote is computed from today.

    Changing a tariff never changes a registered package: its cost is frozen.
    """

    service = models.CharField(max_length=20, choices=Service.choices, unique=True)
    transit_days = models.PositiveSmallIntegerField(help_text="Days from acceptance to expected delivery.")
    currency = models.CharField(max_length=3, default="USD")
    base_fee = models.DecimalField(**MONEY, validators=[MinValueValidator(0)])
    per_kg = models.DecimalField(**MONEY, validators=[MinValueValidator(0)], help_text="Per chargeable kg.")
    per_km = models.DecimalField(max_digits=10, decimal_places=4, validators=[MinValueValidator(0)])
    insurance_rate = models.DecimalField(
        max_digits=6, decimal_places=4, default=0, help_text="Share of the declared value, e.g. 0.0100 for 1 %."
    )
    surcharge_rate = models.DecimalField(
        max_digits=6, decimal_places=4, default=0, help_text="Fuel surcharge on base + weight + distance."
    )
    tax_rate = models.DecimalField(max_digits=6, decimal_places=4, default=0)
    return_fee = models.DecimalField(
        **MONEY,
        default=0,
        validators=[MinValueValidator(0)],
        help_text="Charged when a parcel goes back to its sender.",
    )
    cod_fee = models.DecimalField(
        "COD fee",
        **MONEY,
        default=0,
        validators=[MinValueValidator(0)],
        help_text="Added when cash is collected on delivery.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["service"]
        constraints = [
            models.CheckConstraint(condition=Q(service__in=Service.values), name="tariff_service_valid"),
            models.CheckConstraint(
                condition=Q(base_fee__gte=0, per_kg__gte=0, per_km__gte=0, insurance_rate__gte=0)
                & Q(surcharge_rate__gte=0, tax_rate__gte=0, return_fee__gte=0),
                name="tariff_rates_not_negative",
            ),
        ]

    def __str__(self):
        return f"{self.get_service_display()} tariff"

    def clean(self):
        # One currency for the network: tills, day closes and the reports add amounts up.
        if self.currency != settings.PRICING_CURRENCY:
            raise ValidationError(
                {"currency": f"The network prices in {settings.PRICING_CURRENCY} only (PRICING_CURRENCY)."}
            )


class Package(models.Model):
    """A parcel in the network, from registration at the counter to its final status.

    ``status``, ``current_office``, ``expected_delivery_at`` and the delivery
    fields mirror the latest TrackingEvent and are written only by
    ``services.package_record_event``.
    """

    tracking_number = models.CharField(max_length=13, editable=False)

    sender_name = models.CharField(max_length=200)
    sender_phone = models.CharField(max_length=40, blank=True)
    sender_email = models.EmailField(blank=True)
    # Addresses and offices are reached from the package, not the other way
    # round; the office columns are indexed by the composite indexes in Meta.
    sender_address = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+", db_index=False)
    sender_notify_sms = models.BooleanField(default=False)
    sender_notify_email = models.BooleanField(default=False)

    receiver_name = models.CharField(max_length=200)
    receiver_phone = models.CharField(max_length=40, blank=True)
    receiver_email = models.EmailField(blank=True)
    receiver_address = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+", db_index=False)
    receiver_notify_sms = models.BooleanField(default=False)
    receiver_notify_email = models.BooleanField(default=False)

    origin_office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="packages_sent", db_index=False)
    current_office = models.ForeignKey(
        Office,
        on_delete=models.PROTECT,
        related_name="packages_on_hand",
        db_index=False,
        null=True,
        blank=True,
        help_text="Empty while the package is on a leg between offices.",
    )
    destination_office = models.ForeignKey(
        Office, on_delete=models.PROTECT, related_name="packages_incoming", db_index=False
    )

    service = models.CharField(max_length=20, choices=Service.choices)
    weight_grams = models.PositiveIntegerField("weight (g)", validators=[MinValueValidator(1)])
    length_cm = models.PositiveIntegerField("length (cm)", validators=[MinValueValidator(1)])
    width_cm = models.PositiveIntegerField("width (cm)", validators=[MinValueValidator(1)])
    height_cm = models.PositiveIntegerField("height (cm)", validators=[MinValueValidator(1)])
    declared_value = models.DecimalField(**MONEY, default=0, validators=[MinValueValidator(0)])
    currency = models.CharField(max_length=3, default="USD")
    # db_default: the bulk paths (imports, demo) insert packages with their own column lists.
    collection_code_requested = models.BooleanField(
        default=False,
        db_default=False,
        help_text="The sender asked that the parcel be handed over only against a collection code.",
    )

    # The cost, frozen at registration.
    chargeable_weight_grams = models.PositiveIntegerField("chargeable weight (g)")
    distance_km = models.DecimalField("distance (km)", max_digits=8, decimal_places=1)
    cost_base = models.DecimalField(**MONEY)
    cost_weight = models.DecimalField(**MONEY)
    cost_distance = models.DecimalField(**MONEY)
    cost_insurance = models.DecimalField(**MONEY)
    cost_surcharges = models.DecimalField(**MONEY)
    cost_tax = models.DecimalField(**MONEY)
    cost_total = models.DecimalField(**MONEY)
    cost_currency = models.CharField(max_length=3)
    transit_days = models.PositiveSmallIntegerField(help_text="From the tariff at registration.")

    status = models.CharField(max_length=20, choices=Status.choices, default=Status.CREATED)
    accepted_at = models.DateTimeField(null=True, blank=True)
    expected_delivery_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    received_by = models.CharField(max_length=200, blank=True, help_text="Who signed for the package.")
    returning = models.BooleanField(
        default=False, db_default=False, help_text="On its way back to the sender (origin office)."
    )
    holding_until = models.DateTimeField(
        null=True, blank=True, help_text="Ready for pickup: when the holding period ends and the return starts."
    )
    holding_reminded_at = models.DateTimeField(null=True, blank=True, help_text="When the receiver was reminded.")

    created_at = models.DateTimeField(default=timezone.now, help_text="When the package was registered.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # A constraint rather than unique=True: no extra LIKE index, only exact lookups are needed.
            models.UniqueConstraint(fields=["tracking_number"], name="package_tracking_number_unique"),
            models.CheckConstraint(condition=Q(status__in=Status.values), name="package_status_valid"),
            models.CheckConstraint(condition=Q(service__in=Service.values), name="package_service_valid"),
            models.CheckConstraint(
                condition=Q(tracking_number__regex=r"^[A-Z]{2}[0-9]{9}[A-Z]{2}$"),
                name="package_tracking_number_s10",
            ),
            models.CheckConstraint(
                condition=Q(weight_grams__gt=0, length_cm__gt=0, width_cm__gt=0, height_cm__gt=0),
                name="package_dimensions_positive",
            ),
            models.CheckConstraint(condition=Q(declared_value__gte=0), name="package_declared_value_not_negative"),
            models.CheckConstraint(
                condition=Q(cost_total__gte=0),
                name="package_cost_total_not_negative",
            ),
            models.CheckConstraint(
                condition=~Q(status="delivered") | Q(delivered_at__isnull=False),
                name="package_delivered_has_time",
            ),
        ]
        indexes = [
            # Changelists and API lists order by newest first, often within one office.
            models.Index(fields=["-created_at", "-id"], name="package_created_idx"),
            models.Index(fields=["origin_office", "-created_at"], name="package_origin_created_idx"),
            models.Index(fields=["destination_office", "-created_at"], name="package_dest_created_idx"),
            models.Index(fields=["current_office", "-created_at"], name="package_current_created_idx"),
            models.Index(fields=["status", "-created_at"], name="package_status_created_idx"),
            models.Index(fields=["service", "-created_at"], name="package_service_created_idx"),
            # The scheduled ETA check looks only at packages still on their way.
            models.Index(
                fields=["expected_delivery_at"],
                name="package_open_eta_idx",
                condition=~Q(status__in=["delivered", "returned", "cancelled", "lost"]),
            ),
            # The admin's "Returning to sender" list, newest first: few rows among millions.
            models.Index(
                fields=["-created_at", "-id"], name="package_returning_created_idx", condition=Q(returning=True)
            ),
            # The holding job (shipments.returns): only parcels waiting for pickup, by the end of their wait.
            models.Index(fields=["holding_until"], name="package_holding_idx", condition=Q(status="ready_for_pickup")),
            models.Index(
                fields=["holding_until"],
                name="package_holding_remind_idx",
                condition=Q(status="ready_for_pickup", holding_reminded_at__isnull=True),
            ),
            models.Index(fields=["sender_phone"], name="package_sender_phone_idx"),
            models.Index(fields=["receiver_phone"], name="package_receiver_phone_idx"),
        ]

    def __str__(self):
        return self.tracking_number

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATUSES

    def is_overdue(self, now: datetime) -> bool:
        """Past its expected delivery and not in a final status (selectors.packages_overdue, in SQL)."""
        return self.expected_delivery_at is not None and self.expected_delivery_at < now and not self.is_final


class TrackingEvent(models.Model):
    """One step of a package's journey. Rows are never changed or deleted
    (a database trigger refuses it); a correction is a new event."""

    class Source(models.TextChoices):
        COUNTER = "counter", "Counter"
        SCAN = "scan", "Scan"
        API = "api", "API"
        IMPORT = "import", "Import"
        SYSTEM = "system", "System"
        BAG = "bag", "Bag"  # moved with its bag (dispatched, received, checked)

    # Foreign keys without their own index: the timeline index in Meta covers
    # package; every extra index costs on each of millions of inserts.
    package = models.ForeignKey(Package, on_delete=models.PROTECT, related_name="events", db_index=False)
    status = models.CharField(max_length=20, choices=Status.choices)
    office = models.ForeignKey(
        Office, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    occurred_at = models.DateTimeField()
    recorded_at = models.DateTimeField(auto_now_add=True)
    # PROTECT: the history keeps who recorded it (SET_NULL would be an UPDATE,
    # which the trigger refuses); such a person is deactivated, not deleted.
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.COUNTER)
    note = models.TextField(blank=True)
    reason = models.CharField(max_length=30, choices=Reason.choices, blank=True)
    received_by = models.CharField(max_length=200, blank=True)
    external_id = models.CharField(max_length=100, null=True, blank=True)

    class Meta:
        ordering = ["occurred_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=Status.values), name="event_status_valid"),
            models.UniqueConstraint(
                fields=["external_id"], condition=Q(external_id__isnull=False), name="event_external_id_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["package", "occurred_at", "id"], name="event_package_timeline_idx"),
            # The on-time report's returns (shipments.ontime): few rows among millions of events.
            models.Index(fields=["occurred_at"], name="event_return_idx", condition=Q(status="return_started")),
        ]

    def __str__(self):
        return f"{self.package_id}: {self.status} at {self.occurred_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise ValueError("Tracking events are append-only; record a new event instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Tracking events are append-only; they are never deleted.")


class PackageChange(models.Model):
    """A change to a registered package's sender or receiver after its
    registration: who (``changed_by``, None for the system) through what
    (``source``, ``via``: an import's file and line), when, and each value
    before and after. Shown on the package page with its timeline; rows are
    never changed or deleted."""

    package = models.ForeignKey(Package, on_delete=models.PROTECT, related_name="changes", db_index=False)
    changed_at = models.DateTimeField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    source = models.CharField(max_length=10, choices=TrackingEvent.Source.choices)
    via = models.CharField(max_length=1000, blank=True, help_text="Where the change came from: a file and its line.")
    changes = models.JSONField(help_text="Each changed column: [before, after].")

    class Meta:
        ordering = ["changed_at", "id"]
        indexes = [models.Index(fields=["package", "changed_at"], name="change_package_idx")]

    def __str__(self):
        return f"{self.package_id}: details changed by {self.source} at {self.changed_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise ValueError("Package changes are a record; they are never edited.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Package changes are a record; they are never deleted.")


class Charge(models.Model):
    """An immutable money record for a package: its frozen cost when registered,
    a negative refund when cancelled, the tariff's return fee when it goes back
    to its sender. Reports sum these, never re-price."""

    class Kind(models.TextChoices):
        SHIPPING = "shipping", "Shipping"
        REFUND = "refund", "Refund"
        RETURN = "return", "Return to sender"
        COD_FEE = "cod_fee", "COD fee"  # counter.cod
        COD_FEE_REFUND = "cod_refund", "COD fee refund"

    # Indexed through charge_one_per_package_kind and charge_office_date_idx.
    package = models.ForeignKey(Package, on_delete=models.PROTECT, related_name="charges", db_index=False)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.SHIPPING)
    # Copied from the package so reports never join the package table.
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="charges", db_index=False)
    destination_office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+", db_index=False)
    service = models.CharField(max_length=20, choices=Service.choices)
    base = models.DecimalField(**MONEY)
    weight = models.DecimalField(**MONEY)
    distance = models.DecimalField(**MONEY)
    insurance = models.DecimalField(**MONEY)
    surcharges = models.DecimalField(**MONEY)
    tax = models.DecimalField(**MONEY)
    total = models.DecimalField(**MONEY)
    currency = models.CharField(max_length=3)
    charged_at = models.DateTimeField()

    class Meta:
        ordering = ["charged_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["package", "kind"], name="charge_one_per_package_kind"),
        ]
        indexes = [models.Index(fields=["office", "charged_at"], name="charge_office_date_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.total} {self.currency}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise ValueError("Charges are immutable; record a refund instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Charges are immutable; record a refund instead.")
