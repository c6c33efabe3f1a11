"""Writes for offices and the people who work there.

Each service checks its actor's right itself (``offices.access``), so a new
caller cannot forget: ``actor=None`` is the system (a command an operator
runs, an import, the demo seed), anyone else must be allowed.
"""

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction

from . import access
from .models import Location, Membership, Office


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


@transaction.atomic
def office_upsert(
    *,
    actor: User | None,
    code: str,
    name: str,
    address: dict[str, Any],
    phone: str = "",
    email: str = "",
    time_zone: str = "UTC",
    is_active: bool | None = None,
) -> tuple[Office, bool, bool]:
    """Create the office with that code, or bring an existing one up to date
    (``is_active`` None keeps an existing office open or closed as it is).

    HQ's (or the system's) only. Returns (office, created, changed)."""
    _require(actor is None or access.may_edit_network(actor), "Only HQ changes the offices of the network.")
    office = Office.objects.select_related("location").filter(code=code).first()
    if office is None:
        location = Location.objects.create(**address)
        office = Office.objects.create(
            code=code,
            name=name,
            location=location,
            phone=phone,
            email=email,
            time_zone=time_zone,
            is_active=True if is_active is None else is_active,
        )
        return office, True, True
    wanted: dict[str, Any] = {"name": name, "phone": phone, "email": email, "time_zone": time_zone}
    if is_active is not None:
        wanted["is_active"] = is_active
    changed = False
    for field, value in wanted.items():
        if getattr(office, field) != value:
            setattr(office, field, value)
            changed = True
    for field, value in address.items():
        if getattr(office.location, field) != value:
            setattr(office.location, field, value)
            changed = True
    if changed:
        office.location.full_clean()
        office.location.save()
        office.full_clean()
        office.save()
    return office, False, changed


@transaction.atomic
def clerk_upsert(
    *,
    actor: User | None,
    username: str,
    office: Office,
    role: str = Membership.Role.CLERK,
    email: str | None = None,
    password: str | None = None,
) -> tuple[Any, bool, bool]:
    """Make ``username`` a staff user working at ``office`` with ``role``.

    The office's managers, HQ or the system only. Other memberships are kept
    (call again for more offices). Without a password a new user has an
    unusable one and signs in through Cognito only.
    Returns (user, created, changed)."""
    _require(actor is None or access.may_manage(actor, office), f"You do not manage {office.code}.")
    User = get_user_model()
    user, created = User.objects.get_or_create(username=username, defaults={"is_staff": True})
    changed = created
    if created and not password:
        user.set_unusable_password()
    if not user.is_staff:
        user.is_staff = True
        changed = True
    if email is not None and user.email != email:
        user.email = email
        changed = True
    if password and not user.check_password(password):
        user.set_password(password)
        changed = True
    if changed:
        user.save()
    membership, membership_created = Membership.objects.get_or_create(user=user, office=office, defaults={"role": role})
    if not membership_created and membership.role != role:
        membership.role = role
        membership.save(update_fields=["role"])
        changed = True
    return user, created, changed or membership_created


@transaction.atomic
def membership_remove(*, actor: User | None, membership: Membership) -> None:
    """Take someone off an office. The office's managers, HQ or the system
    only; a manager cannot remove themselves (and lock themselves out)."""
    _require(actor is None or access.may_manage(actor, membership.office), f"You do not manage {membership.office}.")
    _require(
        actor is None or access.is_hq(actor) or membership.user_id != actor.pk,
        "You cannot take yourself off your own office; ask HQ.",
    )
    membership.delete()
