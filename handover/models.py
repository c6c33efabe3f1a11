"""What a handover records: the proof of who took a parcel, and the collection
codes that guard valuable ones (docs/domain.md, "Handing a parcel over")."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from shipments.models import Package, TrackingEvent
from shipments.statuses import Status


class Relationship(models.TextChoices):
    ADDRESSEE = "addressee", "Addressee"
    HOUSEHOLD = "household", "Household member"
    NEIGHBOUR = "neighbour", "Neighbour"
    AGENT = "agent", "Authorised agent"


class IdDocument(models.TextChoices):
    PASSPORT = "passport", "Passport"
    NATIONAL_ID = "national_id", "National identity card"
    DRIVING_LICENCE = "driving_licence", "Driving licence"
    RESIDENCE_PERMIT = "residence_permit", "Residence permit"


class Proof(models.Model):
    """The proof of one handover (a ``delivered`` event): who took the parcel and
    as what, the identity document checked (its type and last four characters
    only), the signature and an optional photo (keys in the private media
    storage), and where a courier stood. Never changed or deleted."""

    event = models.OneToOneField(TrackingEvent, on_delete=models.PROTECT, related_name="proof")
    package = models.ForeignKey(Package, on_delete=models.PROTECT, related_name="proofs", db_index=False)
    status = models.CharField(max_length=20, choices=Status.choices, help_text="The handover's status.")
    received_by = models.CharField(max_length=200)
    relationship = models.CharField(max_length=20, choices=Relationship.choices)
    id_document_type = models.CharField(max_length=20, choices=IdDocument.choices, blank=True)
    id_document_last4 = models.CharField(max_length=4, blank=True)
    signature = models.CharField(max_length=300, help_text="Key of the signature's PNG in the media storage.")
    photo = models.CharField(max_length=300, blank=True, help_text="Key of the photo in the media storage.")
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    collection_code_checked = models.BooleanField(default=False)
    delivered_at = models.DateTimeField()

    class Meta:
        ordering = ["-delivered_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(relationship__in=Relationship.values), name="proof_relationship_valid"),
            models.CheckConstraint(
                condition=Q(id_document_type="", id_document_last4="")
                | Q(id_document_type__in=IdDocument.values, id_document_last4__regex=r"^[A-Z0-9]{4}$"),
                name="proof_document_type_and_last4",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180),
                name="proof_place_valid",
            ),
            models.CheckConstraint(condition=~Q(signature=""), name="proof_has_signature"),
        ]
        indexes = [models.Index(fields=["package", "-delivered_at"], name="proof_package_idx")]

    def __str__(self):
        return f"Proof of {self.get_status_display().lower()} ({self.received_by})"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise ValueError("A proof is a record; it is never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("A proof is a record; it is never deleted.")


class CollectionCode(models.Model):
    """One collection code issued for a package. Only its salted hash is kept
    (``handover.codes``); the code itself travels only inside the receiver's
    outbox rows, sealed, until they are sent. One code per package is active at
    a time; five wrong tries lock it until a manager sends a new one."""

    class State(models.TextChoices):
        ACTIVE = "active", "Active"
        USED = "used", "Used"
        LOCKED = "locked", "Locked"
        REPLACED = "replaced", "Replaced"

    class Cause(models.TextChoices):
        HANDOVER_READY = "ready", "Ready for handover"
        RESENT = "resent", "Sent again by a manager"

    package = models.ForeignKey(Package, on_delete=models.PROTECT, related_name="collection_codes", db_index=False)
    code_hash = models.CharField(max_length=200)
    state = models.CharField(max_length=10, choices=State.choices, default=State.ACTIVE)
    cause = models.CharField(max_length=10, choices=Cause.choices)
    failed_attempts = models.PositiveSmallIntegerField(default=0)
    issued_at = models.DateTimeField()
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    sent_to = models.CharField(max_length=30, blank=True, help_text="The channels it went out on: sms, email.")

    class Meta:
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["package"], condition=Q(state="active"), name="collection_code_one_active_per_package"
            ),
            models.CheckConstraint(
                condition=Q(state__in=["active", "used", "locked", "replaced"]), name="collection_code_state_valid"
            ),
        ]
        indexes = [models.Index(fields=["package", "-issued_at"], name="collection_code_package_idx")]

    def __str__(self):
        return f"Collection code ({self.get_state_display().lower()})"
