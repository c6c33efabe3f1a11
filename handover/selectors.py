"""Reads of the handover: a package's proof with its short-lived links, and
what its delivery form must ask for."""

from dataclasses import dataclass

from shipments.models import Package
from shipments.statuses import Status

from . import files
from .models import CollectionCode, Proof
from .rules import CODE_GUARDED
from .services import package_needs_code, receiver_channels


def package_proof(package: Package) -> Proof | None:
    """The package's latest proof. Call it only for a package the user may see
    (shipments.selectors.package_get_visible): its links are issued here."""
    return Proof.objects.filter(package=package).first()


def proof_links(proof: Proof) -> dict[str, str]:
    """Each file of ``proof`` by key → a link that works for five minutes."""
    return {key: files.signed_url(key) for key in (proof.signature, proof.photo) if key}


@dataclass(frozen=True)
class HandoverNeeds:
    """What handing this package over asks for."""

    code: bool  # a collection code, sent to the receiver
    document: bool  # an identity document, as the receiver can get no code
    code_state: str  # the code's state ("" when none was issued)
    code_channels: tuple[str, ...]


def handover_needs(package: Package, status: str = Status.DELIVERED) -> HandoverNeeds:
    needs = status in CODE_GUARDED and package_needs_code(package)
    channels = tuple(receiver_channels(package))
    latest = CollectionCode.objects.filter(package=package).only("state").first()
    return HandoverNeeds(
        code=needs and bool(channels),
        document=needs and not channels,
        code_state=latest.state if latest else "",
        code_channels=channels,
    )
