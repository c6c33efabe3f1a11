"""Reads of the counter's money, scoped by offices.access."""

from django.db.models import QuerySet

from offices import access
from offices.access import Person

from .models import Payment, Till


def tills_visible(user: Person, *, state: str = "") -> QuerySet[Till]:
    """The tills the user may see (their own; a manager's offices'; HQ all), ``state`` open or closed."""
    tills = access.restrict(Till.objects.select_related("office", "clerk"), user, "view")
    if state == "open":
        tills = tills.filter(closed_at__isnull=True)
    elif state == "closed":
        tills = tills.filter(closed_at__isnull=False)
    return tills


def payments_of(package_id: int) -> QuerySet[Payment]:
    return Payment.objects.filter(package_id=package_id).select_related("office", "clerk").order_by("recorded_at", "id")
