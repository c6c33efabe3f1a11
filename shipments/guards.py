"""Checks another app adds to every step of ``services.package_record_event``
(the counter's: an unpaid parcel is not accepted, a COD parcel is not
delivered before its amount is collected). A guard is a function of the
locked package, the new status and the office that returns problems
(``rules.Problem``); any problem refuses the step as a conflict (409).
Apps register their guards in ``AppConfig.ready``, with ``add_concerned``
saying which packages they concern (the set-based paths ask it)."""

from collections.abc import Callable, Collection, Iterable
from typing import Any

from .rules import Problem

type StepGuard = Callable[[Any, str, Any], list[Problem]]

_GUARDS: list[StepGuard] = []


def add_step_guard(guard: StepGuard) -> None:
    if guard not in _GUARDS:
        _GUARDS.append(guard)


def step_guard_problems(package: Any, status: str, office: Any) -> list[Problem]:
    return [problem for guard in _GUARDS for problem in guard(package, status, office)]


# What another app writes in the same transaction once a step is recorded
# (the counter: a cancelled COD parcel's fee is refunded), called with the locked package and the status.
type AfterStep = Callable[[Any, str], None]

_AFTER: list[AfterStep] = []


def add_after_step(hook: AfterStep) -> None:
    if hook not in _AFTER:
        _AFTER.append(hook)


def after_step(package: Any, status: str) -> None:
    for hook in _AFTER:
        hook(package, status)


# Which packages the guards and hooks above concern (the counter: those with an account). The set-based
# paths (an import, a bag's dispatch and receipt) ask once per batch and call the guards and hooks for
# those packages only: a batch of parcels no other app knows costs one query, not one per row.
type Concerned = Callable[[list[int]], set[int]]

_CONCERNED: list[Concerned] = []


def add_concerned(finder: Concerned) -> None:
    if finder not in _CONCERNED:
        _CONCERNED.append(finder)


def concerned_packages(package_ids: Iterable[int]) -> dict[int, Any]:
    """The packages among ``package_ids`` that a guard or hook concerns, by id
    (read in the caller's transaction: lock them first)."""
    from .models import Package

    ids = sorted(set(package_ids))
    found = set().union(*(finder(ids) for finder in _CONCERNED)) if ids else set()
    return Package.objects.in_bulk(found) if found else {}


def after_steps(steps: Iterable[tuple[int, str]], concerned: Collection[int]) -> None:
    """``after_step`` for the (package id, status) steps a set-based path has just
    written, in their order, for the ``concerned`` packages (read again: written as they are now)."""
    from .models import Package

    steps = [(package_id, status) for package_id, status in steps if package_id in concerned]
    if not steps or not _AFTER:
        return
    packages = Package.objects.in_bulk({package_id for package_id, _ in steps})
    for package_id, status in steps:
        after_step(packages[package_id], status)
