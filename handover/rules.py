"""The handover's rules over plain values: what a proof must hold, whether a
parcel needs a collection code and how the receiver can get it, what an image
is. No database access (``shipments.rules`` style): the delivery form, the API
serializer and the service ask the same functions."""

import re
from dataclasses import dataclass
from decimal import Decimal

from shipments.rules import Problem
from shipments.statuses import HANDOVER_STATUSES, Status

from .models import IdDocument, Relationship

# The statuses in which a parcel waits to be handed over: a collection code is
# issued when it enters one, and may be checked only then.
READY_FOR_HANDOVER = frozenset({Status.READY_FOR_PICKUP, Status.OUT_FOR_DELIVERY})

# The handovers a collection code guards: the receiver's (a parcel going back to
# its sender is handed over with a proof, without the receiver's code).
CODE_GUARDED = frozenset({Status.DELIVERED})

MAX_SIGNATURE_BYTES = 200 * 1024
MAX_PHOTO_BYTES = 10 * 1024 * 1024
PHOTO_TYPES = ("image/jpeg", "image/png")
CODE_DIGITS = 6
MAX_CODE_ATTEMPTS = 5
MAX_RESENDS_PER_DAY = 3

_PNG = b"\x89PNG\r\n\x1a\n"
_JPEG = b"\xff\xd8\xff"
_LAST4 = re.compile(r"^[A-Z0-9]{4}$")
_CODE = re.compile(rf"^[0-9]{{{CODE_DIGITS}}}$")


def image_type(head: bytes) -> str | None:
    """image/png or image/jpeg by a file's first bytes (its magic number), else None."""
    if head.startswith(_PNG):
        return "image/png"
    if head.startswith(_JPEG):
        return "image/jpeg"
    return None


def needs_collection_code(*, declared_value: Decimal, requested: bool, min_value: Decimal) -> bool:
    """A parcel worth ``min_value`` or more, or one whose sender asked for it."""
    return requested or declared_value >= min_value


def code_channels(*, notify_sms: bool, phone: str, notify_email: bool, email: str) -> list[str]:
    """The receiver's channels a code can travel on: the ones they asked for
    that have a usable address (the outbox's own test of one)."""
    channels = []
    if notify_sms and phone.startswith("+"):
        channels.append("sms")
    if notify_email and "@" in email:
        channels.append("email")
    return channels


@dataclass(frozen=True)
class ProofInput:
    """What the person handing a parcel over records (the API's and the form's fields)."""

    received_by: str
    relationship: str
    signature_png: bytes
    id_document_type: str = ""
    id_document_last4: str = ""
    photo_key: str = ""
    collection_code: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None


def proof_problems(proof: ProofInput, *, status: str, needs_code: bool, code_reachable: bool) -> list[Problem]:
    """Every problem of a proof's values: a name and a relationship, a PNG
    signature of at most 200 KB, the document (type and last four, both or
    neither; required when the parcel needs a code its receiver cannot get),
    the code when one is needed, a place with both coordinates."""
    problems = []
    if status not in HANDOVER_STATUSES:
        problems.append(Problem("status", "Not a handover.", f"“{status}” is not recorded with a proof."))
    if not proof.received_by.strip():
        problems.append(Problem("received_by", "Required.", "Enter the name of the person who received the parcel."))
    if proof.relationship not in Relationship.values:
        problems.append(
            Problem("relationship", "Required.", f"Say who took the parcel: one of {', '.join(Relationship.values)}.")
        )
    if not proof.signature_png:
        problems.append(Problem("signature_png", "Required.", "The receiver signs for the parcel."))
    elif len(proof.signature_png) > MAX_SIGNATURE_BYTES:
        problems.append(Problem("signature_png", "Larger than 200 KB.", "The signature is larger than 200 KB."))
    elif image_type(proof.signature_png[:16]) != "image/png":
        problems.append(Problem("signature_png", "Not a PNG image.", "The signature must be a PNG image."))
    document, last4 = proof.id_document_type, proof.id_document_last4
    needs_document = needs_code and not code_reachable
    if document and document not in IdDocument.values:
        problems.append(Problem("id_document_type", "Unknown document type.", "Unknown identity document type."))
    if document and not _LAST4.match(last4):
        problems.append(
            Problem("id_document_last4", "Four letters or digits.", "Enter the last four characters of the document.")
        )
    if last4 and not document:
        problems.append(Problem("id_document_type", "Required with the last four.", "Say which document was shown."))
    if needs_document and not document:
        problems.append(
            Problem(
                "id_document_type",
                "Required: the receiver gets no collection code.",
                "This parcel needs a collection code its receiver cannot get: check an identity document.",
            )
        )
    if needs_code and code_reachable and not _CODE.match(proof.collection_code):
        problems.append(
            Problem(
                "collection_code",
                "Required: six digits.",
                "This parcel is handed over only against the collection code sent to its receiver.",
                code="collection_code_required",
            )
        )
    if (proof.latitude is None) != (proof.longitude is None):
        field = "longitude" if proof.longitude is None else "latitude"
        problems.append(Problem(field, "Give both coordinates or neither.", "Give both coordinates or neither."))
    return problems


def upload_prefix(tracking_number: str) -> str:
    """Where the files of a package's proofs are kept: the server chooses every key under it."""
    return f"proofs/{tracking_number}/"


def photo_key_problems(key: str, *, tracking_number: str) -> list[Problem]:
    """A photo key names an upload of this package (``proofs/<number>/upload-<hex>``)."""
    if not re.fullmatch(rf"{re.escape(upload_prefix(tracking_number))}upload-[0-9a-f]{{32}}", key):
        return [Problem("photo_key", "Not an upload of this package.", "The photo was not uploaded for this package.")]
    return []


def photo_problems(*, size: int | None, content_type: str, head: bytes) -> list[Problem]:
    """An uploaded photo as stored: there, at most 10 MB, a JPEG or PNG by its type and first bytes."""
    if size is None:
        return [Problem("photo_key", "No such upload.", "The photo was not found: upload it first.")]
    if size > MAX_PHOTO_BYTES:
        return [Problem("photo_key", "Larger than 10 MB.", "The photo is larger than 10 MB.")]
    kind = image_type(head)
    if kind is None or (content_type and content_type != kind):
        return [Problem("photo_key", "Not a JPEG or PNG image.", "The photo must be a JPEG or PNG image.")]
    return []
