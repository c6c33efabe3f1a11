"""Handing a parcel over: the delivery with its proof, and the collection codes
(issued when a parcel becomes ready for handover, checked, resent by a manager).

``package_hand_over`` is the only way a person records a handover status
(HANDOVER_STATUSES): ``shipments.services.package_record_event`` refuses one
without it. The rules are ``handover.rules``; the rights ``offices.access``."""

import base64
import binascii
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from notifications.models import Notification
from notifications.sealing import seal
from notifications.services import deliver_after_commit, notifications_for
from offices import access
from offices.models import Office
from shipments.exceptions import IllegalTransition, OfficeNotAllowed, ShipmentError
from shipments.models import Package, TrackingEvent
from shipments.rules import Problem, refuse
from shipments.services import package_record_event
from shipments.statuses import Status, can_follow

from . import files
from .codes import code_matches, hash_code, new_code
from .models import CollectionCode, Proof
from .rules import (
    CODE_GUARDED,
    MAX_CODE_ATTEMPTS,
    MAX_RESENDS_PER_DAY,
    READY_FOR_HANDOVER,
    ProofInput,
    code_channels,
    needs_collection_code,
    photo_key_problems,
    photo_problems,
    proof_problems,
)


def decode_signature(text: str) -> bytes | None:
    """A signature sent as base64 (a bare string or a ``data:image/png;base64,`` URL), or None."""
    text = text.strip()
    if text.startswith("data:"):
        text = text.partition(",")[2]
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None


def package_needs_code(package: Package) -> bool:
    return needs_collection_code(
        declared_value=package.declared_value,
        requested=package.collection_code_requested,
        min_value=settings.COLLECTION_CODE_MIN_VALUE,
    )


def receiver_channels(package: Package) -> list[str]:
    return code_channels(
        notify_sms=package.receiver_notify_sms,
        phone=package.receiver_phone,
        notify_email=package.receiver_notify_email,
        email=package.receiver_email,
    )


def _where(package: Package, office: Office | None, actor: User | None) -> Office | None:
    office = office or package.current_office
    if actor is not None and office is not None and not access.may_act_at(actor, office):
        raise OfficeNotAllowed(
            f"You do not work at {office.code}, so you cannot hand parcels over there.",
            details={"office": "Not one of your offices."},
        )
    return office


def not_ready(package: Package) -> IllegalTransition:
    return IllegalTransition(
        f"{package.tracking_number} is {package.get_status_display().lower()}: it is not waiting to be handed over.",
        code="not_ready_for_handover",
    )


# --- the collection code ------------------------------------------------------------------


def _check_code(package: Package, code: str) -> tuple[CollectionCode | None, list[Problem]]:
    """One try of ``code`` against the package's code, in a transaction of its own:
    a wrong try counts (and the fifth locks) even though the delivery is refused."""
    with transaction.atomic():
        locked = Package.objects.select_for_update().get(pk=package.pk)
        if locked.status not in READY_FOR_HANDOVER:
            raise not_ready(locked)
        current = CollectionCode.objects.select_for_update().filter(package=locked).first()
        if current is None or current.state in (CollectionCode.State.USED, CollectionCode.State.REPLACED):
            message = "No code was sent for this parcel: a manager sends one."
            return None, [Problem("collection_code", message, message, code="collection_code_missing")]
        if current.state == CollectionCode.State.LOCKED:
            message = "Locked after five wrong codes: a manager sends the receiver a new one."
            return None, [Problem("collection_code", message, message, code="collection_code_locked")]
        if code_matches(code, current.code_hash):
            return current, []
        current.failed_attempts += 1
        if current.failed_attempts >= MAX_CODE_ATTEMPTS:
            current.state = CollectionCode.State.LOCKED
        current.save(update_fields=["failed_attempts", "state"])
        left = MAX_CODE_ATTEMPTS - current.failed_attempts
        message = f"Wrong code; {left} more tries." if left else "Wrong code; the code is now locked."
        return None, [Problem("collection_code", message, message, code="collection_code_wrong")]


def _issue(package: Package, *, cause: str, actor: User | None, now: datetime) -> str:
    """A new active code for ``package`` (the previous one replaced); returns the plain code."""
    CollectionCode.objects.filter(package=package, state__in=["active", "locked"]).update(state="replaced")
    code = new_code()
    CollectionCode.objects.create(
        package=package,
        code_hash=hash_code(code),
        cause=cause,
        issued_at=now,
        issued_by=actor,
        sent_to=",".join(receiver_channels(package)),
    )
    return code


def collection_code_issue(*, event: TrackingEvent) -> bool:
    """When a parcel that needs a code becomes ready for handover: a new code,
    sealed into the receiver's outbox rows of ``event`` (written by notifications'
    receiver just before). Nothing when the receiver can get no message (they
    show an identity document) or the code is locked (a manager's decision)."""
    package = event.package
    if event.status not in READY_FOR_HANDOVER or not package_needs_code(package) or not receiver_channels(package):
        return False
    with transaction.atomic():
        latest = CollectionCode.objects.select_for_update().filter(package_id=package.pk).first()
        if latest is not None and latest.state == CollectionCode.State.LOCKED:
            return False
        code = _issue(package, cause=CollectionCode.Cause.HANDOVER_READY, actor=event.recorded_by, now=timezone.now())
        Notification.objects.filter(event=event, recipient=Notification.Recipient.RECEIVER, state="pending").update(
            sealed=seal({"collection_code": code})
        )
    return True


@transaction.atomic
def collection_code_resend(*, package: Package, actor: User) -> CollectionCode:
    """A manager of the office holding the parcel sends its receiver a new code
    (three a day at most): the old one stops working, a lock is lifted."""
    locked = Package.objects.select_for_update().get(pk=package.pk)
    office = locked.current_office
    if office is None or not access.may_manage(actor, office):
        raise OfficeNotAllowed("A new code is sent by a manager of the office holding the parcel.")
    if locked.status not in READY_FOR_HANDOVER:
        raise not_ready(locked)
    if not package_needs_code(locked):
        raise ShipmentError(f"{locked.tracking_number} is handed over without a collection code.")
    if not receiver_channels(locked):
        raise ShipmentError("The receiver asked for no messages: they show an identity document instead.")
    now = timezone.now()
    resent = CollectionCode.objects.filter(
        package=locked, cause=CollectionCode.Cause.RESENT, issued_at__gte=now - timedelta(days=1)
    ).count()
    if resent >= MAX_RESENDS_PER_DAY:
        raise ShipmentError(
            "Three new codes were sent in the last 24 hours; the next one can be sent later.",
            code="collection_code_resend_limit",
        )
    code = _issue(locked, cause=CollectionCode.Cause.RESENT, actor=actor, now=now)
    # The step that made it ready: its message again, with the new code.
    event = locked.events.order_by("-occurred_at", "-id")[0]
    rows = [row for row in notifications_for(event) if row.recipient == Notification.Recipient.RECEIVER]
    for row in rows:
        row.sealed = seal({"collection_code": code}) if row.state == "pending" else ""
    Notification.objects.bulk_create(rows)
    pending = [row.pk for row in rows if row.state == "pending"]
    transaction.on_commit(lambda: deliver_after_commit(pending))
    return CollectionCode.objects.filter(package=locked)[0]


# --- the handover ------------------------------------------------------------------------


def package_hand_over(
    *,
    package: Package,
    proof: ProofInput,
    actor: User | None,
    status: str = Status.DELIVERED,
    office: Office | None = None,
    occurred_at: datetime | None = None,
    source: str = TrackingEvent.Source.COUNTER,
    note: str = "",
    reason: str = "",
    collect: Callable[[], object] | None = None,
) -> Proof:
    """Hand ``package`` over (``status``, delivered) with its proof: check the
    values, the photo as stored, the collection code (a wrong one counts even
    though nothing else is recorded), then in one transaction the event, the
    code used up, the signature stored and the proof. ``collect``: what the
    receiver pays, recorded in that transaction before the step (the counter's
    cash on delivery, counter.steps); its refusal records nothing else."""
    proof = replace(
        proof, received_by=proof.received_by.strip(), id_document_last4=proof.id_document_last4.strip().upper()
    )
    office = _where(package, office, actor)
    if not can_follow(package.status, status):
        # The service's own refusal (409, what may follow), before any proof is asked for.
        package_record_event(package=package, status=status, office=office, actor=actor, with_proof=True)
    needs_code = status in CODE_GUARDED and package_needs_code(package)
    refuse(
        proof_problems(proof, status=status, needs_code=needs_code, code_reachable=bool(receiver_channels(package))),
        "Please complete the proof of delivery.",
    )
    if proof.photo_key:
        refuse(photo_key_problems(proof.photo_key, tracking_number=package.tracking_number))
        stored = files.stored_object(proof.photo_key)
        refuse(photo_problems(size=stored.size, content_type=stored.content_type, head=stored.head))
    code_row = None
    if needs_code and receiver_channels(package):
        code_row, problems = _check_code(package, proof.collection_code)
        refuse(problems)
    with transaction.atomic():
        # The package first, then its code: the order _check_code and a resend lock them in
        # (the other order deadlocked two clerks handing the same parcel over at once).
        list(Package.objects.select_for_update(of=("self",)).filter(pk=package.pk).values_list("pk", flat=True))
        if code_row is not None:
            current = CollectionCode.objects.select_for_update().filter(package=package).first()
            if current is None or current.pk != code_row.pk or current.state != CollectionCode.State.ACTIVE:
                refuse([Problem("collection_code", "A new code was sent meanwhile.", "A new code was sent meanwhile.")])
            CollectionCode.objects.filter(pk=code_row.pk).update(state=CollectionCode.State.USED)
        if collect is not None:
            collect()
        event = package_record_event(
            package=package,
            status=status,
            office=office,
            actor=actor,
            occurred_at=occurred_at,
            source=source,
            note=note,
            reason=reason,
            received_by=proof.received_by,
            with_proof=True,
        )
        signature = files.save(
            files.new_key(package.tracking_number, "signature") + ".png", proof.signature_png, "image/png"
        )
        return Proof.objects.create(
            event=event,
            package=package,
            status=status,
            received_by=event.received_by,
            relationship=proof.relationship,
            id_document_type=proof.id_document_type,
            id_document_last4=proof.id_document_last4,
            signature=signature,
            photo=proof.photo_key,
            latitude=proof.latitude,
            longitude=proof.longitude,
            collection_code_checked=code_row is not None,
            delivered_at=event.occurred_at,
        )
