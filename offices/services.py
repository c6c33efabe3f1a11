"""Writes for offices and the people who work there."""

from django.contrib.auth import get_user_model
from django.db import transaction

from .models import Location, Membership, Office


@transaction.atomic
def office_upsert(*, code: str, name: str, address: dict, phone: str = "", email: str = "", time_zone: str = "UTC"):
    """Create the office with that code, or bring an existing one up to date.

    Returns (office, created, changed)."""
    office = Office.objects.select_related("location").filter(code=code).first()
    if office is None:
        location = Location.objects.create(**address)
        office = Office.objects.create(
            code=code, name=name, location=location, phone=phone, email=email, time_zone=time_zone
        )
        return office, True, True
    changed = False
    for field, value in {"name": name, "phone": phone, "email": email, "time_zone": time_zone}.items():
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
    username: str,
    office: Office,
    role: str = Membership.Role.CLERK,
    email: str | None = None,
    password: str | None = None,
):
    """Make ``username`` a staff user working at ``office`` with ``role``.

    Other memberships are kept (call again for more offices). Without a
    password a new user has an unusable one and signs in through Cognito only.
    Returns (user, created, changed)."""
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
