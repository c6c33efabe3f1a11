"""Writes for offices and the people who work there.

Each service checks its actor's right itself (``offices.access``), so a new
caller cannot forget: ``actor=None`` is the system (a command an operator
runs, an import, the demo seed), anyone else must be allowed.
"""

from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, User
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp.plugins.otp_totp.models import TOTPDevice

from shipments.rules import PHONE_INVALID, phone_e164

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
    opening_hours: str | None = None,
    exchange_code: str | None = None,
    holding_days: int | None = None,
) -> tuple[Office, bool, bool]:
    """Create the office with that code, or bring an existing one up to date
    (``is_active`` None keeps an existing office open or closed as it is,
    ``opening_hours`` None its hours, and ``exchange_code`` None its exchange
    code, "" clears it, ``holding_days`` None its holding period).

    HQ's (or the system's) only. The phone is stored in E.164 and refused
    (``ValidationError``) unless it is a valid number (shipments.rules.phone_e164).
    Returns (office, created, changed)."""
    _require(actor is None or access.may_edit_network(actor), "Only HQ changes the offices of the network.")
    phone = _office_phone(phone, str(address.get("country", "")))
    office = Office.objects.select_related("location").filter(code=code).first()
    if office is None:
        office = Office(
            code=code,
            name=name,
            phone=phone,
            email=email,
            time_zone=time_zone,
            is_active=True if is_active is None else is_active,
            opening_hours=(opening_hours or "").strip(),
            exchange_code=exchange_code or None,
        )
        if holding_days is not None:
            office.holding_days = holding_days
        # Refused before anything is written (a taken exchange code is a ValidationError, not a 500).
        office.full_clean(exclude=["location"])
        office.location = Location.objects.create(**address)
        office.save()
        return office, True, True
    wanted: dict[str, Any] = {"name": name, "phone": phone, "email": email, "time_zone": time_zone}
    if is_active is not None:
        wanted["is_active"] = is_active
    if opening_hours is not None:
        wanted["opening_hours"] = opening_hours.strip()
    if exchange_code is not None:
        wanted["exchange_code"] = exchange_code or None
    if holding_days is not None:
        wanted["holding_days"] = holding_days
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
def office_set_holding_days(*, actor: User | None, office: Office, days: int) -> bool:
    """Set how long parcels wait at ``office`` for pickup (1 to ``HOLDING_DAYS_MAX``
    days): its managers' and HQ's. Parcels already waiting keep the end they were
    given. Returns whether it changed."""
    _require(actor is None or access.may_manage(actor, office), f"Only the managers of {office.code} set this.")
    locked = Office.objects.select_for_update().get(pk=office.pk)
    if locked.holding_days == days:
        return False
    locked.holding_days = days
    locked.full_clean(exclude=["location", "code", "exchange_code"])
    locked.save(update_fields=["holding_days"])
    office.holding_days = days
    return True


def _office_phone(phone: str, country: str) -> str:
    e164 = phone_e164(phone, country)
    if e164 is None:
        raise ValidationError({"phone": PHONE_INVALID})
    return e164


def validate_account(
    *, username: str, email: str | None = None, password: str | None = None, user: User | None = None
) -> None:
    """Refuse (``ValidationError`` by field) a new user name the user model does
    not accept, and a password ``AUTH_PASSWORD_VALIDATORS`` refuse for ``user``
    (or for the new account ``username``, ``email``). No database access: the
    admin form asks before the service does."""
    errors: dict[str, list[str]] = {}
    if user is None:
        try:
            get_user_model()._meta.get_field("username").clean(username, None)
        except ValidationError as error:
            errors["username"] = error.messages
        user = get_user_model()(username=username, email=email or "")
    if password:
        try:
            validate_password(password, user=user)
        except ValidationError as error:
            errors["password"] = error.messages
    if errors:
        raise ValidationError(errors)


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
    """Make ``username`` work at ``office`` with ``role``; a new user name
    creates a staff user (with ``email`` and ``password``).

    The office's managers, HQ or the system only. Other memberships are kept
    (call again for more offices). Without a password a new user has an
    unusable one and signs in through Cognito only. Adding someone to an office
    never changes their account: an HQ account is HQ's to add
    (``may_add_to_office``), and the email, password and staff flag of an
    existing user are changed by HQ or the system only (``may_edit_account``),
    and a manager who asks for a change is refused. Passwords must pass
    ``AUTH_PASSWORD_VALIDATORS`` (``validate_account``).
    Returns (user, created, changed)."""
    _require(actor is None or access.may_manage(actor, office), f"You do not manage {office.code}.")
    user, created, changed = _staff_account_upsert(actor=actor, username=username, email=email, password=password)
    _require(
        actor is None or access.may_add_to_office(actor, user),
        f"{username} is an HQ account: only HQ gives it a place at an office.",
    )
    membership, membership_created = Membership.objects.get_or_create(user=user, office=office, defaults={"role": role})
    if not membership_created and membership.role != role:
        membership.role = role
        membership.save(update_fields=["role"])
        changed = True
    return user, created, changed or membership_created


@transaction.atomic
def hq_member_upsert(
    *, actor: User | None, username: str, email: str | None = None, password: str | None = None
) -> tuple[Any, bool, bool]:
    """Make ``username`` a member of HQ (every office, every page); a new user
    name creates a staff user. HQ or the system only: how a fresh deployment
    gets its first HQ user (``manage.py add_hq_user``). Without a password a new
    user has an unusable one until they set theirs (``password_set_path``).
    Returns (user, created, changed)."""
    _require(actor is None or access.is_hq(actor), "Only HQ makes someone a member of HQ.")
    user, created, changed = _staff_account_upsert(actor=actor, username=username, email=email, password=password)
    group, _ = Group.objects.get_or_create(name=access.HQ_GROUP)
    joined = not user.groups.filter(pk=group.pk).exists()
    if joined:
        user.groups.add(group)
    return user, created, changed or joined


def password_set_path(user: User) -> str:
    """The one-time page where ``user`` chooses a password: it stops working once
    they have (the token covers the password's hash) or after
    ``PASSWORD_RESET_TIMEOUT`` (three days)."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return reverse("password_set", kwargs={"uidb64": uid, "token": token})


def _staff_account_upsert(
    *, actor: User | None, username: str, email: str | None, password: str | None
) -> tuple[Any, bool, bool]:
    """The staff account behind a membership or HQ: a new user name creates it
    (no password: an unusable one), an existing one is brought up to date as
    ``_account_update`` allows. Returns (user, created, changed)."""
    user = get_user_model().objects.select_for_update().filter(username=username).first()
    if user is not None:
        return user, False, _account_update(actor=actor, user=user, email=email, password=password)
    validate_account(username=username, email=email, password=password)
    user = get_user_model()(username=username, email=email or "", is_staff=True)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    return user, True, True


def _account_update(*, actor: User | None, user: User, email: str | None, password: str | None) -> bool:
    """What ``clerk_upsert`` asks of an existing account; True if it changed."""
    if actor is not None and not access.may_edit_account(actor, user):
        # Refused whether or not they match: an answer would tell whether a
        # guessed password (or email) is the person's.
        _require(
            not password and not email,
            f"{user.get_username()} already has an account; only HQ changes its email or password.",
        )
        return False  # a membership is added; the account stays as it is
    new_email = email is not None and user.email != email
    new_password = bool(password) and not user.check_password(password)
    if not (new_email or new_password or not user.is_staff):
        return False
    if new_email:
        user.email = email or ""
    if new_password:
        validate_account(username=user.get_username(), password=password, user=user)
        user.set_password(password)
    user.is_staff = True
    user.save()
    return True


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


def users_kept_for_history(users: Iterable[User]) -> dict[int, list[str]]:
    """Those of ``users`` whom records must keep naming (a foreign key to users
    with ``on_delete=PROTECT``: the tracking history's ``recorded_by``), by id,
    with what names them. They are deactivated, never deleted. The columns have
    no index (they would cost on every event): a scan, for a rare admin action."""
    ids = [user.pk for user in users]
    kept: dict[int, list[str]] = {}
    for relation in get_user_model()._meta.get_fields(include_hidden=True):
        if not isinstance(relation, models.ManyToOneRel) or relation.on_delete is not models.PROTECT:
            continue
        field = relation.field
        named = relation.related_model._base_manager.filter(**{f"{field.name}__in": ids})
        for user_id in named.order_by().values_list(field.attname, flat=True).distinct():
            kept.setdefault(user_id, []).append(str(relation.related_model._meta.verbose_name_plural))
    return kept


@transaction.atomic
def user_deactivate(*, actor: User | None, user: User) -> bool:
    """Stop someone signing in (admin and API alike) and keep their account and
    the history that names them. HQ or the system; nobody deactivates themselves.
    Returns whether anything changed."""
    _require(actor is None or access.may_edit_account(actor, user), "Only HQ deactivates accounts.")
    _require(actor is None or actor.pk != user.pk, "You cannot deactivate your own account; ask another HQ user.")
    if not user.is_active:
        return False
    user.is_active = False
    user.save(update_fields=["is_active"])
    return True


@transaction.atomic
def user_delete(*, actor: User | None, user: User) -> None:
    """Delete an account that no record names. Someone who recorded history
    (``users_kept_for_history``) is refused: deactivate them instead."""
    _require(actor is None or access.may_edit_account(actor, user), "Only HQ deletes accounts.")
    _require(actor is None or actor.pk != user.pk, "You cannot delete your own account.")
    kept = users_kept_for_history([user])
    _require(not kept, history_kept_message(user, kept.get(user.pk, [])))
    user.delete()


def history_kept_message(user: User, records: list[str]) -> str:
    return (
        f"{user.get_username()} is named in {' and '.join(records)} they recorded: the history keeps "
        "their name, so the account cannot be deleted. Deactivate it instead."
    )


@transaction.atomic
def totp_device_add(*, actor: User | None, user: User, replace: bool = False) -> TOTPDevice:
    """Give ``user`` a two-factor device (TOTP: an authenticator app), confirmed
    at once: from now on they sign in with its codes. Its key is shown once, by
    the caller. HQ or the system; someone who has one keeps it unless
    ``replace`` (a lost phone), which removes the old ones."""
    _require(actor is None or access.may_edit_account(actor, user), "Only HQ sets up two-factor sign-in.")
    existing = TOTPDevice.objects.filter(user=user)
    if existing.exists():
        _require(
            replace,
            f"{user.get_username()} already has an authenticator app; replace it only if it is lost (--replace).",
        )
        existing.delete()
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)


@transaction.atomic
def totp_device_remove(*, actor: User | None, device: TOTPDevice) -> None:
    """Take away a two-factor device (a lost phone). HQ or the system."""
    _require(actor is None or access.may_edit_account(actor, device.user), "Only HQ removes two-factor devices.")
    device.delete()
