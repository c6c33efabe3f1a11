"""Who may see and do what: the one answer for the admin, the API, the
template tags and the services. Nothing else decides.

The roles (docs/domain.md, "Roles"):

- **HQ**: superusers and members of the ``HQ`` group. Sees every office and
  package, acts at every active office, manages every office, edits the
  network (offices, tariffs) and people's accounts (a superuser's only if a
  superuser). A manager adds people to their offices (never an HQ account)
  but never changes an account. Where ``TWO_FACTOR_REQUIRED_FOR_HQ`` (always in
  production), an HQ account is HQ only when this sign-in proved a second factor,
  on every path: a session signed in with a code (django-otp's ``is_verified()``),
  or a Cognito ID token whose ``amr`` says ``mfa`` (``api.authentication`` notes it
  with ``note_second_factor``). Otherwise it has its memberships' rights only.
- **Member**: holds a ``Membership`` at an active office; *works at* it as a
  clerk or a manager, and *manages* it when the role is manager.
- Everyone else (no membership, inactive or anonymous) may do nothing.

There are two doors, and they differ on purpose:

- ``may_use_admin``: the back-office admin asks for Django's staff flag *and*
  HQ or a membership (the flag is how an account is let into ``/admin/``);
  HQ also signs in with a second factor where ``needs_two_factor`` says so.
- ``may_use_api``: the REST API asks for HQ or a membership only. Its users
  sign in with Cognito tokens, and a token's claims or the staff flag never
  grant anything here (a token's ``amr`` only proves HQ's second factor).

``restrict(queryset, user, action)`` scopes any queryset of offices,
memberships or packages (after NetBox's ``RestrictedQuerySet.restrict``).
Answers are cached on the user object for the length of one request.
"""

from typing import Any, Literal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser, Group, User
from django.db.models import Exists, OuterRef, Q, QuerySet

from .models import Membership, Office

HQ_GROUP = "HQ"

# Whoever asks: a signed-in person or an anonymous visitor.
type Person = User | AnonymousUser

Action = Literal["view", "act", "manage"]

# The offices a package touches: a member of any of them sees the package.
PACKAGE_OFFICE_FIELDS = ("origin_office", "current_office", "destination_office")

_CACHE = "_access_cache"


def _cache(user: Person) -> dict[str, Any]:
    cache: dict[str, Any] | None = user.__dict__.get(_CACHE)
    if cache is None:
        cache = user.__dict__[_CACHE] = {}
    return cache


def _signed_in(user: Person | None) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


# --- roles ----------------------------------------------------------------------


def is_hq_account(user: Person) -> bool:
    """Superusers and members of the HQ group, however they signed in: whether
    HQ's sign-in rules apply to them (``needs_two_factor``), not their rights."""
    if not _signed_in(user):
        return False
    if user.is_superuser:
        return True
    cache = _cache(user)
    if "hq" not in cache:
        cache["hq"] = user.groups.filter(name=HQ_GROUP).exists()
    return bool(cache["hq"])


def note_second_factor(user: Person, *, verified: bool) -> None:
    """How this request's user proved who they are, for sign-ins that are not a
    session (a Cognito token): whether it included a second factor."""
    _cache(user)["second_factor"] = verified


def second_factor_verified(user: Person) -> bool:
    """Whether this request's sign-in included a second factor: a token said so
    (``note_second_factor``), or the session was signed in with a code
    (django-otp's ``OTPMiddleware`` gives the user ``is_verified``). A user
    that came by neither path has not."""
    noted = _cache(user).get("second_factor")
    if noted is not None:
        return bool(noted)
    is_verified = getattr(user, "is_verified", None)
    return bool(callable(is_verified) and is_verified())


def is_hq(user: Person) -> bool:
    """HQ's rights: an HQ account (``is_hq_account``) that, where
    ``TWO_FACTOR_REQUIRED_FOR_HQ``, signed in with a second factor."""
    if not is_hq_account(user):
        return False
    return not settings.TWO_FACTOR_REQUIRED_FOR_HQ or second_factor_verified(user)


def _roles_by_office_id(user: Person) -> dict[int, str]:
    if not _signed_in(user) or user.pk is None:
        return {}
    cache = _cache(user)
    if "roles" not in cache:
        # The office is joined anyway (is it active?): its code and zone come along for default_time_zone.
        rows = Membership.objects.filter(user_id=user.pk, office__is_active=True).values_list(
            "office_id", "role", "office__code", "office__time_zone"
        )
        cache["roles"] = {office_id: role for office_id, role, _, _ in rows}
        cache["zones_by_code"] = sorted((code, zone) for _, _, code, zone in rows)
    roles: dict[int, str] = cache["roles"]
    return roles


def office_ids_worked_at(user: Person) -> list[int]:
    """The active offices where the user holds a membership (HQ's own ones only)."""
    return list(_roles_by_office_id(user))


def office_ids_managed(user: Person) -> list[int]:
    """The active offices where the user is a manager (HQ's own ones only)."""
    return [office_id for office_id, role in _roles_by_office_id(user).items() if role == Membership.Role.MANAGER]


def is_member(user: Person) -> bool:
    """HQ, or someone who works at an active office."""
    return is_hq(user) or bool(_roles_by_office_id(user))


def is_manager(user: Person) -> bool:
    """HQ, or someone who manages an active office."""
    return is_hq(user) or bool(office_ids_managed(user))


# --- the two doors ----------------------------------------------------------------


def may_use_admin(user: Person) -> bool:
    """The back-office admin: the staff flag, and HQ or a membership."""
    return _signed_in(user) and bool(user.is_staff) and is_member(user)


def may_use_api(user: Person) -> bool:
    """The REST API: HQ or a membership; the staff flag is not needed."""
    return _signed_in(user) and is_member(user)


# --- offices ------------------------------------------------------------------------


def may_act_at(user: Person, office: Office) -> bool:
    """Register parcels and record steps there: HQ anywhere, members at their offices."""
    return is_hq(user) or office.pk in _roles_by_office_id(user)


def may_manage(user: Person, office: Office) -> bool:
    """Reports and memberships of the office: HQ, or its managers."""
    return is_hq(user) or office.pk in office_ids_managed(user)


def may_view_network_reports(user: Person) -> bool:
    """The cost report of the whole network (every office at once): HQ."""
    return is_hq(user)


def may_manage_webhooks(user: Person) -> bool:
    """Partner webhook subscriptions, their secrets and delivery logs: HQ."""
    return is_hq(user)


def may_edit_network(user: Person) -> bool:
    """Offices, tariffs and people's accounts are HQ's."""
    return is_hq(user)


def needs_two_factor(user: Person) -> bool:
    """Whether the admin asks this user for a second factor even without a
    device: HQ accounts, when ``TWO_FACTOR_REQUIRED_FOR_HQ`` (production). Anyone
    with a device gives its code at sign-in anyway."""
    return bool(settings.TWO_FACTOR_REQUIRED_FOR_HQ) and is_hq_account(user)


def lacks_second_factor(user: Person) -> bool:
    """An HQ account that signed in without the second factor HQ needs: it has
    its memberships' rights only, and is told how to get HQ's."""
    return needs_two_factor(user) and not second_factor_verified(user)


def may_edit_account(user: Person, account: User) -> bool:
    """Someone's email, password, staff flag, activation: HQ's; a superuser's
    account only another superuser's (an HQ group member cannot take one over)."""
    return is_hq(user) and (user.is_superuser or not account.is_superuser)


def may_add_to_office(user: Person, account: User) -> bool:
    """Give an existing account a place at an office: HQ anyone; a manager
    anyone but HQ (a membership would change what HQ's pages show, their time
    zone first, and an HQ account is HQ's to change). The account is HQ by what
    it is (``is_hq_account``), whether or not it is signed in with a second factor."""
    return is_hq(user) or not is_hq_account(account)


def offices_to_view(user: Person) -> QuerySet[Office]:
    """Every office, for anyone signed in: the network is public inside the company."""
    return restrict(Office.objects.all(), user, "view").select_related("location")


def offices_to_act_at(user: Person) -> QuerySet[Office]:
    """HQ: every active office; a member: their own."""
    return restrict(Office.objects.all(), user, "act").select_related("location")


def offices_to_manage(user: Person) -> QuerySet[Office]:
    """HQ: every office; a manager: the ones they manage."""
    return restrict(Office.objects.all(), user, "manage")


def default_time_zone(user: Person) -> str:
    """The zone the back-office shows a user's times in: their default office's
    (see default_office); UTC for HQ without an office, and for anyone else."""
    _roles_by_office_id(user)
    zones: list[tuple[str, str]] = _cache(user).get("zones_by_code", []) if _signed_in(user) else []
    return zones[0][1] if zones else "UTC"


def default_office(user: Person) -> Office | None:
    """The office a form starts on: the user's first office by code."""
    ids = office_ids_worked_at(user)
    if not ids:
        return None
    return Office.objects.filter(pk__in=ids).order_by("code").first()


# --- any queryset ---------------------------------------------------------------------


def restrict(queryset: QuerySet[Any], user: Person, action: Action = "view") -> QuerySet[Any]:
    """The rows of ``queryset`` that ``user`` may ``action``.

    - offices: ``view`` every office; ``act`` where they work (HQ: every
      active one); ``manage`` where they manage (HQ: all);
    - memberships: ``view`` / ``manage`` those of the offices they manage;
    - packages: ``view`` / ``act`` those leaving from, at or heading to one of
      their offices (HQ: all);
    - bags, dispatches, discrepancies: those from or to one of their offices (HQ: all);
    - tills: their own, and every till of the offices they manage (HQ: all).
    """
    label = queryset.model._meta.label
    if not _signed_in(user):
        return queryset.none()
    hq = is_hq(user)
    if label == "offices.Office":
        if action == "view":
            return queryset
        if action == "act":
            return queryset.filter(is_active=True) if hq else queryset.filter(pk__in=office_ids_worked_at(user))
        return queryset if hq else queryset.filter(pk__in=office_ids_managed(user))
    if label == "offices.Membership":
        return queryset if hq else queryset.filter(office_id__in=office_ids_managed(user))
    if label == "shipments.Package":
        if hq:
            return queryset
        office_ids = office_ids_worked_at(user)
        if not office_ids:
            return queryset.none()
        touches = Q()
        for field in PACKAGE_OFFICE_FIELDS:
            touches |= Q(**{f"{field}_id__in": office_ids})
        return queryset.filter(touches)
    if label in _BETWEEN_OFFICES:
        # Bags, dispatches and their discrepancies: the people of the two offices (and HQ) see them;
        # who may act on one is may_act_at of its origin (build, close, dispatch) or destination (receive, check).
        if hq:
            return queryset
        office_ids = office_ids_worked_at(user)
        prefix = _BETWEEN_OFFICES[label]
        return queryset.filter(
            Q(**{f"{prefix}origin_office_id__in": office_ids}) | Q(**{f"{prefix}destination_office_id__in": office_ids})
        )
    if label == "counter.Till":
        # A clerk sees their own tills; a manager every till of their offices; HQ all.
        return queryset if hq else queryset.filter(Q(clerk_id=user.pk) | Q(office_id__in=office_ids_managed(user)))
    raise ValueError(f"No access rule for {label}.")


# Models that go from one office to another, and the path to their two offices.
_BETWEEN_OFFICES = {"dispatches.Bag": "", "dispatches.Dispatch": "", "dispatches.Discrepancy": "bag__"}


# --- signing in with a token ----------------------------------------------------------------


def user_for_sign_in(username: str) -> User | None:
    """The user named by a verified token, with the HQ question answered in the
    same query (so scoping a token's request costs one query less)."""
    hq_member = Group.objects.filter(name=HQ_GROUP, user=OuterRef("pk"))
    user = get_user_model().objects.filter(username=username).annotate(in_hq_group=Exists(hq_member)).first()
    if user is not None:
        _cache(user)["hq"] = user.in_hq_group
    return user
