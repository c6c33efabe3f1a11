"""Bags (UPU receptacles) between offices, the dispatches that carry them, what
is in each bag, their timelines and the discrepancies found when a bag is checked."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from offices.models import Office
from shipments.models import Package, Service


class Category(models.TextChoices):
    """UPU mail category of a bag: priority or not. A bag holds one category only."""

    PRIORITY = "A", "A (priority)"
    STANDARD = "C", "C (standard)"


# Which bags a parcel of each service may travel in (dispatches.rules).
CATEGORY_OF_SERVICE: dict[str, str] = {
    Service.STANDARD: Category.STANDARD,
    Service.EXPRESS: Category.PRIORITY,
    Service.OVERNIGHT: Category.PRIORITY,
}


class DispatchSerial(models.Model):
    """The last dispatch serial drawn for one route, category and year (S9 positions 17–20).
    Locked and incremented when the first bag of a new dispatch closes."""

    origin_office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+")
    destination_office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+", db_index=False)
    category = models.CharField(max_length=1, choices=Category.choices)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["origin_office", "destination_office", "category", "year"], name="dispatch_serial_one_per_route"
            ),
        ]

    def __str__(self):
        return f"{self.origin_office_id}→{self.destination_office_id} {self.category} {self.year}: {self.last}"


class Dispatch(models.Model):
    """Bags sent together from one office to another (S8 identifier). It forms when
    its first bag closes (the serial is drawn then) and leaves when it is dispatched."""

    class State(models.TextChoices):
        FORMING = "forming", "Forming (bags closing)"
        DISPATCHED = "dispatched", "Dispatched"

    identifier = models.CharField("S8 identifier", max_length=20)
    origin_office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+", db_index=False)
    destination_office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+", db_index=False)
    category = models.CharField(max_length=1, choices=Category.choices)
    state = models.CharField(max_length=12, choices=State.choices, default=State.FORMING)
    created_at = models.DateTimeField(default=timezone.now)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    dispatched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["identifier"], name="dispatch_identifier_unique"),
            models.CheckConstraint(condition=Q(identifier__regex=r"^[A-Z]{15}[0-9]{5}$"), name="dispatch_s8_format"),
            # At most one dispatch forming per route and category: closing bags join it.
            models.UniqueConstraint(
                fields=["origin_office", "destination_office", "category"],
                condition=Q(state="forming"),
                name="dispatch_one_forming_per_route",
            ),
        ]
        indexes = [models.Index(fields=["origin_office", "-created_at"], name="dispatch_origin_created_idx")]

    def __str__(self):
        return self.identifier


class Bag(models.Model):
    """A receptacle from its origin office to its destination office: opened,
    filled, closed (S9 identifier, weight, seal), dispatched, received, checked."""

    class State(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"
        DISPATCHED = "dispatched", "Dispatched"
        RECEIVED = "received", "Received"
        CHECKED = "checked", "Checked"

    origin_office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+", db_index=False)
    destination_office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+", db_index=False)
    category = models.CharField(max_length=1, choices=Category.choices)
    state = models.CharField(max_length=12, choices=State.choices, default=State.OPEN)
    identifier = models.CharField("S9 identifier", max_length=29, null=True, blank=True)
    dispatch = models.ForeignKey(Dispatch, on_delete=models.PROTECT, null=True, blank=True, related_name="bags")
    weight_kg = models.DecimalField("gross weight (kg)", max_digits=4, decimal_places=1, null=True, blank=True)
    seal = models.CharField(max_length=40, blank=True)
    registered = models.BooleanField(default=False, help_text="A parcel in it has a declared value.")
    weighed_kg = models.DecimalField("weighed on arrival (kg)", max_digits=4, decimal_places=1, null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["identifier"], name="bag_identifier_unique"),
            models.CheckConstraint(
                condition=Q(identifier__isnull=True) | Q(identifier__regex=r"^[A-Z]{15}[0-9]{14}$"),
                name="bag_s9_format",
            ),
            models.CheckConstraint(
                condition=Q(state__in=["open", "closed", "dispatched", "received", "checked"]), name="bag_state_valid"
            ),
            # Closed means identified, weighed and sealed; open means none of it yet.
            models.CheckConstraint(
                condition=Q(state="open", identifier__isnull=True)
                | (~Q(state="open") & Q(identifier__isnull=False, weight_kg__isnull=False, dispatch__isnull=False)),
                name="bag_closed_has_identifier",
            ),
            models.CheckConstraint(condition=~Q(origin_office=models.F("destination_office")), name="bag_two_offices"),
        ]
        indexes = [
            models.Index(fields=["origin_office", "state", "-created_at"], name="bag_origin_state_idx"),
            models.Index(fields=["destination_office", "state", "-created_at"], name="bag_dest_state_idx"),
        ]

    def __str__(self):
        return self.identifier or f"Bag {self.pk} (open)"

    @property
    def key(self) -> str:
        """How the bag is named in URLs: its S9 identifier once it has one, its own key while open."""
        return self.identifier or str(self.pk)


class BagItem(models.Model):
    """A parcel on a bag's list. ``held`` while the bag is not received: such a
    parcel is in no other bag (a constraint) and moves only with its bag."""

    bag = models.ForeignKey(Bag, on_delete=models.CASCADE, related_name="items")
    package = models.ForeignKey(Package, on_delete=models.PROTECT, related_name="+", db_index=False)
    note = models.CharField(max_length=100, blank=True, help_text="e.g. via BOS01 when it goes further.")
    held = models.BooleanField(default=True)
    # An extra parcel found in another bag is taken off this bag's list.
    found_in = models.ForeignKey(Bag, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )

    class Meta:
        ordering = ["added_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["bag", "package"], name="bag_item_once_per_bag"),
            models.UniqueConstraint(fields=["package"], condition=Q(held=True), name="bag_item_one_bag_at_a_time"),
        ]
        indexes = [models.Index(fields=["package"], name="bag_item_package_idx")]

    def __str__(self):
        return f"{self.package_id} in {self.bag_id}"


class BagEvent(models.Model):
    """One step of a bag's or a dispatch's timeline: who did it, where and when."""

    class Kind(models.TextChoices):
        OPENED = "opened", "Opened"
        CLOSED = "closed", "Closed"
        DISPATCHED = "dispatched", "Dispatched"
        RECEIVED = "received", "Received"
        CHECKED = "checked", "Checked"

    bag = models.ForeignKey(Bag, on_delete=models.CASCADE, null=True, blank=True, related_name="events")
    dispatch = models.ForeignKey(Dispatch, on_delete=models.CASCADE, null=True, blank=True, related_name="events")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+", db_index=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    occurred_at = models.DateTimeField(default=timezone.now)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["occurred_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(bag__isnull=False) | Q(dispatch__isnull=False), name="bag_event_has_owner"
            )
        ]

    def __str__(self):
        return f"{self.kind} at {self.occurred_at:%Y-%m-%d %H:%M}"


class Discrepancy(models.Model):
    """What checking a bag found against its list: a parcel ``missing`` (on the
    list, not found) or ``extra`` (found, not on the list)."""

    class Kind(models.TextChoices):
        MISSING = "missing", "Missing"
        EXTRA = "extra", "Extra"

    bag = models.ForeignKey(Bag, on_delete=models.PROTECT, related_name="discrepancies")
    package = models.ForeignKey(Package, on_delete=models.PROTECT, related_name="+", db_index=False)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+", db_index=False)
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name_plural = "discrepancies"
        ordering = ["-recorded_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["bag", "package"], name="discrepancy_once_per_bag"),
        ]
        indexes = [models.Index(fields=["kind", "-recorded_at"], name="discrepancy_kind_recorded_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.package_id} ({self.bag})"
