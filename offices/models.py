"""Offices of the network, the addresses (locations) they and customers have,
and which clerks work where."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models

OFFICE_CODE_PATTERN = r"^[A-Z0-9]{3,10}$"
# The UPU office of exchange code on bag labels (S9 identifiers): six capital letters.
EXCHANGE_CODE_PATTERN = r"^[A-Z]{6}$"


class Location(models.Model):
    """An address, with coordinates when known: an office's, a sender's or a receiver's."""

    line1 = models.CharField(max_length=200)
    line2 = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100)
    region = models.CharField(max_length=100, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    country = models.CharField(
        max_length=2,
        help_text="ISO 3166-1 alpha-2 code, e.g. US.",
        validators=[RegexValidator(r"^[A-Z]{2}$", "Use the two-letter ISO country code, e.g. US.")],
    )
    latitude = models.DecimalField(
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(country__regex=r"^[A-Z]{2}$"), name="location_country_iso2"),
            models.CheckConstraint(
                condition=models.Q(latitude__isnull=True) | models.Q(latitude__gte=-90, latitude__lte=90),
                name="location_latitude_range",
            ),
            models.CheckConstraint(
                condition=models.Q(longitude__isnull=True) | models.Q(longitude__gte=-180, longitude__lte=180),
                name="location_longitude_range",
            ),
        ]

    def __str__(self):
        parts = [self.line1, self.line2, self.city, self.region, self.postal_code, self.country]
        return ", ".join(part for part in parts if part)


class OfficeQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def get_by_natural_key(self, code):
        return self.get(code=code)


# How long a parcel ready for pickup waits, by default and at most (docs/domain.md, holding period).
HOLDING_DAYS_DEFAULT = 14
HOLDING_DAYS_MAX = 90


class Office(models.Model):
    """A branch of the network where parcels are taken in, sorted and handed over."""

    code = models.CharField(
        max_length=10,
        unique=True,
        help_text="3–10 upper-case letters and digits, e.g. NYC01.",
        validators=[RegexValidator(OFFICE_CODE_PATTERN, "Use 3–10 upper-case letters and digits, e.g. NYC01.")],
    )
    name = models.CharField(max_length=200)
    location = models.OneToOneField(Location, on_delete=models.PROTECT, related_name="office")
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    time_zone = models.CharField(max_length=64, default="UTC")
    opening_hours = models.CharField(
        max_length=200,
        blank=True,
        help_text="When customers may come, as they read it, e.g. Mon–Fri 8:00–19:00, Sat 9:00–13:00. "
        "The pickup message gives it.",
    )
    exchange_code = models.CharField(
        max_length=6,
        unique=True,
        null=True,
        blank=True,
        help_text="Office of exchange: 6 capital letters on its bags' S9 identifiers, e.g. USNYCA.",
        validators=[RegexValidator(EXCHANGE_CODE_PATTERN, "Use 6 capital letters, e.g. USNYCA.")],
    )
    is_active = models.BooleanField("active", default=True)
    holding_days = models.PositiveSmallIntegerField(
        "holding period (days)",
        default=HOLDING_DAYS_DEFAULT,
        db_default=HOLDING_DAYS_DEFAULT,
        validators=[MinValueValidator(1), MaxValueValidator(HOLDING_DAYS_MAX)],
        help_text="How long a parcel waits here for pickup before it goes back to its sender. Set by the manager.",
    )

    objects = OfficeQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=models.Q(code__regex=OFFICE_CODE_PATTERN), name="office_code_format"),
            models.CheckConstraint(
                condition=models.Q(exchange_code__isnull=True) | models.Q(exchange_code__regex=EXCHANGE_CODE_PATTERN),
                name="office_exchange_code_format",
            ),
            models.CheckConstraint(
                condition=models.Q(holding_days__gte=1, holding_days__lte=HOLDING_DAYS_MAX),
                name="office_holding_days_range",
            ),
        ]

    def __str__(self):
        return f"{self.code} – {self.name}"

    def natural_key(self):
        return (self.code,)


class Membership(models.Model):
    """A user's place at an office: a clerk, or a manager (who also sees reports and clerks)."""

    class Role(models.TextChoices):
        CLERK = "clerk", "Clerk"
        MANAGER = "manager", "Manager"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.CLERK)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "office"], name="membership_one_per_user_office"),
            models.CheckConstraint(condition=models.Q(role__in=["clerk", "manager"]), name="membership_role_valid"),
        ]
        indexes = [models.Index(fields=["office", "role"], name="membership_office_role_idx")]

    def __str__(self):
        return f"{self.user} – {self.get_role_display()} at {self.office.code}"
