"""``import_events``: scan events from partner carriers, applied through the
service's transition rules in bulk.

Per batch: the rows are parsed and checked on their own (``check_batch``, in
the reader thread, no database); then the packages named are locked (``FOR UPDATE``, as
``package_record_event`` locks one), events already recorded are recognised by
``external_id`` (or tracking number + status + time when there is none), the
rest are applied per package in ``occurred_at`` order with the same rules as
the service (``statuses.can_follow``, ``step_rules.event_office_problems``,
``step_rules.event_detail_problems``, ``statuses.effect_of``, and for the
packages another app guards, such as counter parcels, its ``guards``: an
unpaid parcel is not accepted, and a cancellation runs its after-step hooks), then written with
COPY into a staging table and set-based SQL. An illegal step rejects its row,
not the file. The whole file is sorted first, by package and time
(``order_key``, ``imports.sorting``), so a file may list events in any order
and a package's events reach the batches in time order.

Bulk SQL fires no signals: ``--notify`` calls ``enqueue_notifications`` for
the events recorded, which writes their outbox rows in the batch's transaction
(the dispatcher delivers them).
"""

import math
from datetime import UTC, datetime
from typing import Any

from django.db import connection
from django.utils import timezone

from imports.framework import BatchResult, Importer
from offices.models import Office

from ..exceptions import InvalidTrackingNumber
from ..guards import after_steps, concerned_packages, step_guard_problems
from ..holds import holds_of
from ..models import TrackingEvent
from ..rules import Problem, column_limits, length_problems, network_start, time_problems
from ..statuses import Status, allowed_next, can_follow, effect_of, return_follows
from ..step_rules import event_detail_problems, event_office_problems, hold_problems
from ..tracking_numbers import clean_tracking_number, normalize_tracking_number
from .event_writes import EVENT_COLUMNS, write_events

__all__ = ["EventImporter", "enqueue_notifications", "write_events"]


LOCKED_COLUMNS = (
    "id",
    "tracking_number",
    "status",
    "origin_office_id",
    "destination_office_id",
    "current_office_id",
    "transit_days",
    "accepted_at",
    "expected_delivery_at",
    "delivered_at",
    "received_by",
    "returning",
    "holding_until",
    "holding_reminded_at",
)


def lock_packages(cursor: Any, *, ids: list[int] | None = None, numbers: list[str] | None = None) -> list[dict]:
    """The packages' rows (by id or by tracking number) locked ``FOR UPDATE`` in id
    order, as ``package_record_event`` locks one, as dicts of ``LOCKED_COLUMNS``
    plus ``last_at`` (the time of each one's last event), ``failed_deliveries``
    (its ``delivery_failed`` events: the third starts a return),
    ``cancelled_at`` and ``return_started_at`` (None until a step of the batch
    sets them). The one query every set-based event path (imports, bags) starts from."""
    column, values = ("id", ids) if ids is not None else ("tracking_number", numbers)
    if not values:
        return []
    columns = ", ".join(f'p."{name}"' for name in LOCKED_COLUMNS)  # quoted: "returning" is a keyword of SQL
    cursor.execute(
        f"""
        SELECT {columns},
               (SELECT max(e.occurred_at) FROM shipments_trackingevent e WHERE e.package_id = p.id),
               (SELECT count(*) FROM shipments_trackingevent e WHERE e.package_id = p.id AND e.status = %s)
        FROM shipments_package p WHERE p.{column} = ANY(%s) ORDER BY p.id FOR UPDATE OF p""",
        [Status.DELIVERY_FAILED, sorted(values)],
    )
    names = (*LOCKED_COLUMNS, "last_at", "failed_deliveries")
    fresh = {"cancelled_at": None, "return_started_at": None}
    return [dict(zip(names, row, strict=True)) | fresh for row in cursor.fetchall()]


def enqueue_notifications(event_keys: list[tuple[int, str, datetime]]) -> int:
    """Hand the events just written (package id, status, occurred_at) to the
    notifications outbox, in the batch's transaction: the bulk SQL fires no
    post_save, so this is the import's explicit enqueue. The dispatcher
    delivers them (an import does not wait for AWS). Returns the rows written."""
    from notifications.services import enqueue

    from ..models import TrackingEvent

    wanted = set(event_keys)
    candidates = TrackingEvent.objects.filter(
        package_id__in={package_id for package_id, _, _ in wanted},
        occurred_at__in={occurred_at for _, _, occurred_at in wanted},
    ).select_related("package", "office")
    events = [event for event in candidates if (event.package_id, event.status, event.occurred_at) in wanted]
    return len(enqueue(events, deliver=False))


class EventImporter(Importer):
    kind = "import_events"
    required_columns = ("tracking_number", "status", "occurred_at")
    optional_columns = ("office", "note", "reason", "received_by", "external_id")

    def __init__(self, *, notify: bool = False):
        self.notify = notify
        self.notified = 0

    ordered = True

    def order_key(self, row: dict[str, str]) -> tuple[str, float]:
        """Package (its number cleaned as ``normalize_tracking_number`` cleans it,
        unchecked), then time (POSIX seconds); a time that cannot be read sorts
        first (the row is rejected later)."""
        number = clean_tracking_number(row.get("tracking_number", ""))
        try:
            occurred_at = datetime.fromisoformat(row.get("occurred_at", "").strip())
            if occurred_at.tzinfo is None:
                occurred_at = occurred_at.replace(tzinfo=UTC)
            return number, occurred_at.timestamp()
        except (ValueError, OverflowError):
            return number, -math.inf

    def prepare(self) -> None:
        self.office_ids = dict(Office.objects.values_list("code", "id"))
        self.holding_days = dict(Office.objects.values_list("id", "holding_days"))
        self.limits = column_limits(TrackingEvent, ("external_id", "received_by"))
        self.start = network_start()
        self.offices: dict[int, Office] = {}  # the offices of guarded rows, read when first needed

    def _parse(self, row: dict[str, str], now: datetime) -> tuple[dict[str, Any], dict[str, str]]:
        problems: dict[str, str] = {}
        event: dict[str, Any] = {}
        try:
            event["tracking_number"] = normalize_tracking_number(row["tracking_number"])
        except InvalidTrackingNumber as error:
            problems["tracking_number"] = str(error)
        status = row["status"].strip().lower()
        reason = row.get("reason", "").strip().lower()
        received_by = row.get("received_by", "").strip()
        external_id = row.get("external_id", "").strip()
        for problem in event_detail_problems(status=status, reason=reason, received_by=received_by) + length_problems(
            {"received_by": received_by, "external_id": external_id}, self.limits
        ):
            problems.setdefault(problem.field, problem.sentence or problem.message)
        code = row.get("office", "").strip().upper()
        office_id = self.office_ids.get(code) if code else None
        if code and office_id is None:
            problems["office"] = f"Unknown office code “{code}”."
        try:
            occurred_at = datetime.fromisoformat(row["occurred_at"].strip().replace("Z", "+00:00"))
        except ValueError:
            problems["occurred_at"] = "Use ISO 8601, e.g. 2026-03-01T09:30:00Z."
        else:
            if occurred_at.tzinfo is None:
                occurred_at = occurred_at.replace(tzinfo=UTC)
            for problem in time_problems("occurred_at", occurred_at, now=now, start=self.start, what="An event"):
                problems["occurred_at"] = problem.sentence
            event["occurred_at"] = occurred_at
        event |= {
            "status": status,
            "reason": reason,
            "received_by": received_by,
            "office_id": office_id,
            "note": row.get("note", "").strip(),
            "external_id": external_id or None,
        }
        return event, problems

    def check_batch(
        self, rows: list[tuple[int, dict[str, str]]]
    ) -> tuple[list[tuple[int, dict[str, Any]]], BatchResult]:
        """The parsed events (no database: this runs in the reader thread) and what is already known of the batch."""
        result = BatchResult()
        now = timezone.now()
        events: list[tuple[int, dict[str, Any]]] = []
        seen: set[Any] = set()
        for number, row in rows:
            event, problems = self._parse(row, now)
            if problems:
                result.rejected[number] = problems
                continue
            key = event["external_id"] or (event["tracking_number"], event["status"], event["occurred_at"])
            if key in seen:
                result.unchanged += 1  # the same event twice in one batch
                continue
            seen.add(key)
            events.append((number, event))
        return events, result

    def import_batch(self, checked: tuple[list[tuple[int, dict[str, Any]]], BatchResult]) -> BatchResult:
        events, result = checked
        if not events:
            return result
        with connection.cursor() as cursor:
            packages = self._lock_packages(cursor, sorted({event["tracking_number"] for _, event in events}))
            events = self._drop_recorded(cursor, events, packages, result)
            # Packages another app guards (counter parcels): their rows pass its guards and hooks too.
            guarded = concerned_packages(packages[event["tracking_number"]]["id"] for _, event in events)
            to_write, changed = self._apply(events, packages, result, guarded)
            if to_write:
                self._write(cursor, to_write, [packages[number] for number in changed])
                after_steps([(row[0], row[1]) for row in to_write], guarded)
        result.created += len(to_write)
        if self.notify and to_write:
            self.notified += enqueue_notifications(
                [(row[0], row[1], row[3]) for row in to_write]  # package, status, occurred_at
            )
        return result

    def _lock_packages(self, cursor: Any, numbers: list[str]) -> dict[str, dict[str, Any]]:
        packages = {package["tracking_number"]: package for package in lock_packages(cursor, numbers=numbers)}
        # A parcel in a bag moves only with its bag (read under the rows' lock, as the service does).
        held = holds_of(package["id"] for package in packages.values())
        for package in packages.values():
            package["hold"] = held.get(package["id"], "")
        return packages

    def _drop_recorded(
        self,
        cursor: Any,
        events: list[tuple[int, dict[str, Any]]],
        packages: dict[str, dict[str, Any]],
        result: BatchResult,
    ) -> list[tuple[int, dict[str, Any]]]:
        """Reject events of unknown packages; count those already recorded as unchanged."""
        known = []
        for number, event in events:
            if event["tracking_number"] not in packages:
                result.rejected[number] = {"tracking_number": f"No package {event['tracking_number']}."}
            else:
                known.append((number, event))
        external_ids = [event["external_id"] for _, event in known if event["external_id"]]
        recorded_external: dict[str, int] = {}
        if external_ids:
            cursor.execute(
                "SELECT external_id, package_id FROM shipments_trackingevent WHERE external_id = ANY(%s)",
                [external_ids],
            )
            recorded_external = dict(cursor.fetchall())
        plain = [event for _, event in known if not event["external_id"]]
        recorded_plain: set[tuple[int, str, datetime]] = set()
        if plain:
            cursor.execute(
                """
                SELECT e.package_id, e.status, e.occurred_at FROM shipments_trackingevent e
                JOIN unnest(%s::bigint[], %s::text[], %s::timestamptz[]) AS k(package_id, status, occurred_at)
                  ON e.package_id = k.package_id AND e.status = k.status AND e.occurred_at = k.occurred_at""",
                [
                    [packages[event["tracking_number"]]["id"] for event in plain],
                    [event["status"] for event in plain],
                    [event["occurred_at"] for event in plain],
                ],
            )
            recorded_plain = set(cursor.fetchall())
        fresh = []
        for number, event in known:
            package_id = packages[event["tracking_number"]]["id"]
            if event["external_id"] in recorded_external:
                if recorded_external[event["external_id"]] != package_id:
                    result.rejected[number] = {
                        "external_id": f"Event {event['external_id']} was already recorded for another package."
                    }
                else:
                    result.unchanged += 1
            elif not event["external_id"] and (package_id, event["status"], event["occurred_at"]) in recorded_plain:
                result.unchanged += 1
            else:
                fresh.append((number, event))
        return fresh

    def _apply(
        self,
        events: list[tuple[int, dict[str, Any]]],
        packages: dict[str, dict[str, Any]],
        result: BatchResult,
        guarded: dict[int, Any],
    ) -> tuple[list[tuple[Any, ...]], set[str]]:
        """Fold the events over their packages in time order, as package_record_event would
        (with the step guards of other apps for the ``guarded`` packages, ``guards.concerned_packages``)."""
        to_write: list[tuple[Any, ...]] = []
        changed: set[str] = set()
        events.sort(key=lambda item: (item[1]["tracking_number"], item[1]["occurred_at"], item[0]))
        for number, event in events:
            package = packages[event["tracking_number"]]
            status = event["status"]
            if package["last_at"] is not None and event["occurred_at"] < package["last_at"]:
                result.rejected[number] = {
                    "occurred_at": f"The last event of {event['tracking_number']} happened at "
                    f"{package['last_at']:%Y-%m-%d %H:%M} UTC; a new one cannot be earlier."
                }
                continue
            returning = package["returning"]
            if not can_follow(package["status"], status, returning=returning):
                following = ", ".join(
                    Status(value).label for value in allowed_next(package["status"], returning=returning)
                )
                result.rejected[number] = {
                    "status": f"{event['tracking_number']} is {Status(package['status']).label.lower()}; "
                    f"it cannot become {Status(status).label.lower()}. "
                    + (f"Allowed next: {following}." if following else "Its journey is over.")
                }
                continue
            office_id = event["office_id"]
            if office_id is None:
                office_id = package["current_office_id"]
            problems = event_office_problems(
                status=status,
                office_id=office_id,
                origin_office_id=package["origin_office_id"],
                destination_office_id=package["destination_office_id"],
                current_office_id=package["current_office_id"],
                returning=returning,
            ) + hold_problems(tracking_number=event["tracking_number"], status=status, hold=package["hold"])
            failed = package["failed_deliveries"] + (status == Status.DELIVERY_FAILED)
            reason = event["reason"]
            follow = return_follows(status=status, reason=reason, failed_deliveries=failed, returning=returning)
            if not problems and package["id"] in guarded:
                steps = [status, Status.RETURN_STARTED] if follow else [status]
                problems = self._guard_problems(guarded[package["id"]], steps, office_id)
            if problems:
                result.rejected[number] = {problem.field: problem.sentence or problem.message for problem in problems}
                continue
            changed.add(event["tracking_number"])
            self._step(to_write, package, event | {"office_id": office_id})
            package["failed_deliveries"] = failed
            if follow:
                # A refusal or the third failed delivery sends the parcel back, as the service does.
                step = {"status": Status.RETURN_STARTED, "reason": follow, "received_by": "", "external_id": None}
                self._step(to_write, package, event | step | {"office_id": office_id, "note": ""})
        return to_write, changed

    def _guard_problems(self, package: Any, statuses: list[str], office_id: int | None) -> list[Problem]:
        """What other apps' guards (``shipments.guards``) say of these steps, as the service asks them."""
        if office_id is not None and office_id not in self.offices:
            self.offices |= Office.objects.in_bulk([office_id])
        office = self.offices.get(office_id) if office_id is not None else None
        return [problem for status in statuses for problem in step_guard_problems(package, status, office)]

    def _step(self, to_write: list[tuple[Any, ...]], package: dict[str, Any], event: dict[str, Any]) -> None:
        """Apply one checked event to its package (``statuses.effect_of``) and add its row."""
        status, office_id = event["status"], event["office_id"]
        package |= effect_of(
            status,
            office_id=office_id,
            occurred_at=event["occurred_at"],
            transit_days=package["transit_days"],
            received_by=event["received_by"],
            reason=event["reason"],
            returning=package["returning"],
            holding_days=self.holding_days.get(office_id),
        )
        package["last_at"] = event["occurred_at"]
        if status == Status.CANCELLED:
            package["cancelled_at"] = event["occurred_at"]
        elif status == Status.RETURN_STARTED:
            package["return_started_at"] = event["occurred_at"]
        to_write.append((package["id"], status, office_id, *(event[name] for name in EVENT_COLUMNS[3:])))

    def _write(self, cursor: Any, events: list[tuple[Any, ...]], packages: list[dict[str, Any]]) -> None:
        write_events(cursor, events, packages, source="import")
