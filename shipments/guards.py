"""Checks another app adds to every step of ``services.package_record_event``
(the counter's: an unpaid parcel is not accepted, a COD parcel is not
delivered before its amount is collected). A guard is a function of the
locked package, the new status and the office that returns problems
(``rules.Problem``); any problem refuses the step as a conflict (409).
Apps register their guards in ``AppConfig.ready``."""

from collections.abc import Callable
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
