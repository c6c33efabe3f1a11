"""The package page's handover parts: the delivery step's link, and the proof
(with links that work for five minutes) and collection code of the package.
The page is the package admin's, scoped already: whoever sees it may see these."""

from django import template
from django.urls import reverse

from offices import access
from shipments.statuses import HANDOVER_STATUSES, Status

from ..rules import READY_FOR_HANDOVER
from ..selectors import handover_needs, package_proof, proof_links

register = template.Library()


@register.simple_tag
def handover_url(package, status: str) -> str:
    """The delivery page for a handover step, else nothing (the step is a one-click one)."""
    if status not in HANDOVER_STATUSES:
        return ""
    if status == Status.DELIVERED:
        return reverse("handover:deliver", args=[package.pk])
    return reverse("handover:hand_over", args=[package.pk, status])


@register.inclusion_tag("admin/handover/_package_handover.html", takes_context=True)
def package_handover(context, package):
    user = context["request"].user
    proof = package_proof(package)
    links = proof_links(proof) if proof else {}
    needs = handover_needs(package)
    office = package.current_office
    return {
        "package": package,
        "proof": proof,
        "signature_url": links.get(proof.signature, "") if proof else "",
        "photo_url": links.get(proof.photo, "") if proof else "",
        "needs": needs,
        "may_resend": needs.code
        and package.status in READY_FOR_HANDOVER
        and office is not None
        and access.may_manage(user, office),
        "csrf_token": context.get("csrf_token"),
    }
