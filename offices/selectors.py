"""Read-side questions about offices and who works where.

HQ (superusers and members of the ``HQ`` group) sees every office. Everyone
else sees the offices they hold a membership at. The answers are cached on the
user object for the length of one request.
"""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet

from .models import Membership, Office

HQ_GROUP = "HQ"


def user_is_hq(user: AbstractBaseUser | AnonymousUser) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    if not hasattr(user, "_is_hq"):
        user._is_hq = user.groups.filter(name=HQ_GROUP).exists()
    return user._is_hq


def _roles_by_office_id(user) -> dict[int, str]:
    if not user.is_authenticated or not user.is_active:
        return {}
    if not hasattr(user, "_roles_by_office_id"):
        user._roles_by_office_id = dict(
            Membership.objects.filter(user=user, office__is_active=True).values_list("office_id", "role")
        )
    return user._roles_by_office_id


def office_ids_of(user) -> list[int]:
    """The offices where this user works (not all offices, even for HQ)."""
    return list(_roles_by_office_id(user))


def managed_office_ids_of(user) -> list[int]:
    return [office_id for office_id, role in _roles_by_office_id(user).items() if role == Membership.Role.MANAGER]


def offices_visible_to(user) -> QuerySet[Office]:
    """Offices a user may look at: all for HQ and staff (the network is public
    knowledge), none for anonymous users."""
    if not user.is_authenticated or not user.is_active:
        return Office.objects.none()
    return Office.objects.select_related("location")


def offices_of(user) -> QuerySet[Office]:
    """Offices where the user may act (register, scan): all for HQ, else their own."""
    if user_is_hq(user):
        return Office.objects.active().select_related("location")
    return Office.objects.filter(pk__in=office_ids_of(user)).select_related("location")


def user_works_at(user, office: Office) -> bool:
    return user_is_hq(user) or office.pk in _roles_by_office_id(user)


def user_manages(user, office: Office) -> bool:
    return user_is_hq(user) or office.pk in managed_office_ids_of(user)


def default_office_of(user) -> Office | None:
    """The office a form starts on: the user's first office by code."""
    ids = office_ids_of(user)
    if not ids:
        return None
    return Office.objects.filter(pk__in=ids).order_by("code").first()
