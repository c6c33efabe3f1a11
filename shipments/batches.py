"""Batches of steps: a scanned list of numbers and the admin's bulk moves.

Each package is its own ``services.package_record_event`` (its own transaction),
so one refusal never stops the others; the result has one entry per line or
package, in order.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.models import User

from offices import access
from offices.models import Office

from .exceptions import InvalidTrackingNumber, ShipmentError
from .models import Package, TrackingEvent
from .services import package_record_event
from .statuses import Status
from .step_rules import preselected_step_office_id
from .tracking_numbers import normalize_tracking_number


@dataclass
class ScanResult:
    """What happened to one package of a batch (one scanned line, or one selected row)."""

    line: str
    tracking_number: str
    done: bool
    message: str
    package: Package | None = None
    office: Office | None = None
    occurred_at: datetime | None = None  # of the recorded event
    # The same number again in one batch: recorded once, neither done again nor refused.
    repeated: bool = False

    @property
    def outcome(self) -> str:
        """done, refused or repeated: what the scan page shows for the line."""
        return "repeated" if self.repeated else "done" if self.done else "refused"


def _record_step(
    *, actor: User | None, package: Package, status: str, office: Office | None, line: str = "", **details: Any
) -> ScanResult:
    """One package of a batch, in its own transaction: refused alone, never the batch."""
    try:
        event = package_record_event(package=package, status=status, office=office, actor=actor, **details)
    except ShipmentError as error:
        return ScanResult(line, package.tracking_number, False, error.message, package, office)
    where = f" at {office.code}" if office else ""
    message = f"{Status(status).label}{where}."
    return ScanResult(line, package.tracking_number, True, message, package, office, event.occurred_at)


def package_scan_batch(
    *,
    actor: User,
    office: Office,
    status: str,
    lines: list[str],
    reason: str = "",
    received_by: str = "",
    note: str = "",
) -> list[ScanResult]:
    """Record ``status`` at ``office`` for every scanned line, each on its own.

    Not atomic on purpose: every package is a separate ``package_record_event``,
    so a separate transaction, and an unknown number or an illegal move refuses
    that line and no other. The result has one entry per line, in order.
    """
    parsed: list[tuple[str, str, str]] = []
    for line in lines:
        try:
            parsed.append((line, normalize_tracking_number(line), ""))
        except InvalidTrackingNumber as error:
            parsed.append((line, "", error.message))
    numbers = {number for _, number, _ in parsed if number}
    # One query for the whole batch; scoping is the access module's, as everywhere.
    visible = access.restrict(Package.objects.all(), actor).filter(tracking_number__in=numbers)
    packages = {package.tracking_number: package for package in visible.select_related("current_office")}
    results, seen = [], set()
    for line, number, problem in parsed:
        if problem:
            results.append(ScanResult(line, number, False, problem))
        elif number in seen:
            # Whatever happened to its first line (done or refused) stands for it.
            results.append(ScanResult(line, number, False, "Scanned twice in this batch; counted once.", repeated=True))
        elif number not in packages:
            seen.add(number)
            results.append(ScanResult(line, number, False, "Unknown, or not one of the packages you can see."))
        else:
            seen.add(number)
            results.append(
                _record_step(
                    actor=actor,
                    package=packages[number],
                    status=status,
                    office=office,
                    line=line,
                    source=TrackingEvent.Source.SCAN,
                    reason=reason,
                    received_by=received_by,
                    note=note,
                )
            )
    return results


def _office_for_step(
    preselected: int | None, own: dict[int, Office], fallback: Office | None, others: dict[int, Office]
) -> Office | None:
    """Where the step naturally happens if the actor works there, else the actor's first office."""
    if preselected is not None and preselected in own:
        return own[preselected]
    if fallback is not None:
        return fallback
    return others.get(preselected) if preselected is not None else None


def package_move_batch(*, actor: User, packages: list[Package], status: str, reason: str = "") -> list[ScanResult]:
    """Record ``status`` for each of ``packages`` (the admin's bulk actions), each on its own.

    The office of each step is where it naturally happens if the actor works
    there (``step_rules.preselected_step_office_id``), else the actor's first office;
    the service then decides whether the step may happen there.
    """
    own = {office.pk: office for office in access.offices_to_act_at(actor).select_related(None).only("code")}
    fallback = access.default_office(actor)
    preselected = {package.pk: preselected_step_office_id(package, status) for package in packages}
    # Offices outside the actor's own (inactive ones, for HQ): one query for the batch.
    others = {} if fallback else Office.objects.in_bulk(set(preselected.values()) - set(own) - {None})
    return [
        _record_step(
            actor=actor,
            package=package,
            status=status,
            office=_office_for_step(preselected[package.pk], own, fallback, others),
            source=TrackingEvent.Source.COUNTER,
            reason=reason,
        )
        for package in packages
    ]
