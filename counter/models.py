"""Money at the counter: what a package owes, the payments that settle it,
each clerk's till, the day close of an office and the pay-out of cash on
delivery (docs/domain.md, "Money at the counter").

Payments, day closes, remittances and a package's account are a record: rows
are only ever inserted (database triggers refuse UPDATE, DELETE and TRUNCATE,
migration 0002; the application's role may only insert and read them). A till
session is the one row that changes: it is closed once, by its cash-up.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from offices.models import Office
from shipments.models import MONEY, Package


class AppendOnly(models.Model):
    """A row of the record: saved once, never changed or deleted."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise ValueError(f"{self._meta.verbose_name_plural.capitalize()} are a record; add a new row instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError(f"{self._meta.verbose_name_plural.capitalize()} are a record; they are never deleted.")


class CounterSettings(models.Model):
    """An office's money settings. An office without a row has the defaults of
    the Django settings (COUNTER_UNPAID_ALLOWED, COUNTER_VARIANCE_LIMIT, COD_LIMIT)."""

    office = models.OneToOneField(Office, on_delete=models.CASCADE, related_name="counter_settings")
    unpaid_allowed = models.BooleanField(
        default=False, help_text="Parcels may be registered unpaid (paid before they are accepted)."
    )
    variance_limit = models.DecimalField(
        **MONEY, help_text="A cash-up whose variance is larger than this needs a manager's note."
    )
    cod_limit = models.DecimalField(**MONEY, help_text="The largest amount a receiver may be asked to pay on delivery.")

    class Meta:
        verbose_name_plural = "counter settings"
        constraints = [
            models.CheckConstraint(condition=Q(variance_limit__gte=0, cod_limit__gte=0), name="counter_limits_positive")
        ]

    def __str__(self):
        return f"Counter settings of {self.office.code}"


class Method(models.TextChoices):
    CASH = "cash", "Cash"
    CARD = "card", "Card"
    PREPAID = "prepaid", "Prepaid"


class Till(models.Model):
    """A clerk's till session at one office: opened with a counted float, closed
    by the cash-up (expected, counted, variance). Cash payments go into it."""

    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="tills")
    clerk = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="tills")
    day = models.DateField(help_text="The office's date when it was opened.")
    opened_at = models.DateTimeField()
    opening_float = models.DecimalField("float", **MONEY)
    currency = models.CharField(max_length=3)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    expected = models.DecimalField(**MONEY, null=True, blank=True)
    counted = models.DecimalField(**MONEY, null=True, blank=True)
    variance = models.DecimalField(**MONEY, null=True, blank=True, help_text="Counted minus expected.")
    denominations = models.JSONField(default=dict, blank=True, help_text="Counted pieces per denomination.")
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["clerk"], condition=Q(closed_at__isnull=True), name="till_one_open_per_clerk"
            ),
            models.CheckConstraint(condition=Q(opening_float__gte=0), name="till_float_not_negative"),
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True) | Q(counted__isnull=False, expected__isnull=False),
                name="till_closed_is_counted",
            ),
        ]
        indexes = [models.Index(fields=["office", "day"], name="till_office_day_idx")]

    def __str__(self):
        return f"Till {self.pk} of {self.clerk} at {self.office.code}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class PackageAccount(AppendOnly):
    """What a package registered at the counter owes: its price and the COD
    fee (``due``), and the amount its receiver pays on delivery (0: none).
    Packages without one (imports, older parcels) are outside the counter's money rules."""

    package = models.OneToOneField(Package, on_delete=models.PROTECT, related_name="account", primary_key=True)
    due = models.DecimalField(**MONEY)
    cod_amount = models.DecimalField(**MONEY, default=0)
    cod_fee = models.DecimalField(**MONEY, default=0)
    currency = models.CharField(max_length=3)
    unpaid_allowed = models.BooleanField(default=False, help_text="Registered unpaid, as its office allowed.")

    class Meta:
        verbose_name_plural = "package accounts"
        constraints = [
            models.CheckConstraint(condition=Q(due__gte=0, cod_amount__gte=0, cod_fee__gte=0), name="account_positive")
        ]

    def __str__(self):
        return f"{self.package_id}: {self.due} {self.currency} due"


class Payment(AppendOnly):
    """Money taken or paid back at a counter for one package. A payment or a
    COD collection is positive, a refund negative; a correction (a manager's,
    with a reason) either. Rows are never changed: a correction is a new row."""

    class Kind(models.TextChoices):
        PAYMENT = "payment", "Payment"
        REFUND = "refund", "Refund"
        COD = "cod", "Cash on delivery"
        # A COD collected from a receiver who then did not take the parcel, given back to them.
        COD_RETURN = "cod_return", "Cash on delivery given back"
        CORRECTION = "correction", "Correction"

    package = models.ForeignKey(Package, on_delete=models.PROTECT, related_name="payments", db_index=False)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    method = models.CharField(max_length=10, choices=Method.choices)
    amount = models.DecimalField(**MONEY)
    currency = models.CharField(max_length=3)
    tendered = models.DecimalField(**MONEY, null=True, blank=True, help_text="Cash handed over.")
    change = models.DecimalField(**MONEY, null=True, blank=True, help_text="Cash given back.")
    reference = models.CharField(max_length=100, blank=True, help_text="Card authorisation or prepaid reference.")
    card_last4 = models.CharField(max_length=4, blank=True)
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+", db_index=False)
    day = models.DateField(help_text="The office's date when it was recorded.")
    till = models.ForeignKey(Till, on_delete=models.PROTECT, null=True, blank=True, related_name="payments")
    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    recorded_at = models.DateTimeField()
    reason = models.CharField(max_length=500, blank=True, help_text="Why a correction was made.")

    class Meta:
        ordering = ["recorded_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["payment", "refund", "cod", "cod_return", "correction"]), name="payment_kind"
            ),
            models.CheckConstraint(condition=Q(method__in=Method.values), name="payment_method"),
            models.CheckConstraint(condition=~Q(method="cash") | Q(till__isnull=False), name="payment_cash_in_till"),
            models.CheckConstraint(
                condition=Q(kind="correction")
                | (
                    Q(kind__in=["refund", "cod_return"], amount__lt=0)
                    | (~Q(kind__in=["refund", "cod_return"]) & Q(amount__gt=0))
                ),
                name="payment_sign",
            ),
            models.CheckConstraint(
                condition=Q(card_last4="") | Q(card_last4__regex=r"^[0-9]{4}$"), name="payment_last4"
            ),
        ]
        indexes = [
            models.Index(fields=["package", "recorded_at"], name="payment_package_idx"),
            models.Index(fields=["office", "day"], name="payment_office_day_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.amount} {self.currency} ({self.get_method_display()})"


class DayClose(AppendOnly):
    """An office's closed day: the totals as they were closed. Nothing of that day changes after it."""

    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+", db_index=False)
    day = models.DateField()
    closed_at = models.DateTimeField()
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_index=False)
    totals = models.JSONField(help_text="The day's totals when it was closed (amounts as strings).")

    class Meta:
        ordering = ["-day", "office"]
        constraints = [models.UniqueConstraint(fields=["office", "day"], name="day_close_one_per_office_day")]

    def __str__(self):
        return f"{self.office_id} {self.day} closed"


class Remittance(AppendOnly):
    """The pay-out to the sender of a COD amount collected on delivery."""

    payment = models.OneToOneField(Payment, on_delete=models.PROTECT, related_name="remittance")
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+", db_index=False)
    amount = models.DecimalField(**MONEY)
    currency = models.CharField(max_length=3)
    bank_reference = models.CharField(max_length=100)
    paid_at = models.DateTimeField()
    paid_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_index=False)

    class Meta:
        ordering = ["-paid_at"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="remittance_positive")]

    def __str__(self):
        return f"COD pay-out {self.amount} {self.currency} ({self.bank_reference})"
