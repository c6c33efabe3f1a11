"""``import_packages``: parcels registered by partner systems, upserted by
tracking number.

``check_batch`` (the reader thread, no database) checks each row with the
counter's own rules (``shipments.rules``, ``PriceList.problems``) and renders
what a row may change or must keep as one line of COPY text. ``import_batch``
then looks the batch's tracking numbers up once, with the same columns as
PostgreSQL prints them: a registered package whose text is the row's is
unchanged and goes no further (not staged, not priced). The rest go into a
staging table with one COPY and are written with set-based SQL (``package_writes``): new packages
(priced by the counter's ``PriceList``, loaded once per run, with ids drawn from
the sequences; after a batch of mostly new packages the reader thread prices
the next batch ahead, so a file of new parcels is priced off the writing
thread and a re-run is not priced at all) with their two addresses, their shipping charge and their
``created`` event; existing ones get their sender and receiver brought up to
date. The parcel facts and the cost of a registered package are frozen (its
charge is immutable), so a row that changes the facts is rejected, and a
tariff changed since does not re-price it. Historical imports send no
notifications (bulk SQL fires no signals).

A row without a tracking number is a new parcel: it gets one from
``tracking_numbers_for`` (one block per service and batch), remembered by the
row's line in that version of that file (``GeneratedTrackingNumber``), so
running the same file again finds the parcels it registered ("unchanged").
Another file, or the same one changed (another size and time, another S3
ETag) or read from stdin, is new rows: its parcels are registered anew.
"""

from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.validators import validate_email
from django.db import connection
from django.utils import timezone

from imports.framework import BatchResult, Importer
from imports.models import GeneratedTrackingNumber
from offices.models import Office

from ..exceptions import InvalidTrackingNumber
from ..pricing import PriceList
from ..rules import imported_number_problems, network_start, party_problems, registered_text, time_problems
from ..serials import tracking_numbers_for
from ..tracking_numbers import normalize_tracking_number
from ..values import Address, Parcel, Party
from .exports import COLUMNS as EXPORT_COLUMNS
from .package_rows import (
    LEAVABLE,
    LEAVABLE_NAMES,
    NO_COST,
    NO_OFFICE,
    STORED_TEXT,
    ZERO,
    CheckedBatch,
    Staged,
    column_of,
    compared_text,
    filled,
    flag,
    whole,
)
from .package_writes import change_parties, insert_new, party_changes, reject_frozen_changes, stage


class PackageImporter(Importer):
    kind = "import_packages"
    required_columns = (
        "origin_office",
        "destination_office",
        "service",
        "weight_grams",
        "length_cm",
        "width_cm",
        "height_cm",
        *(f"{role}_{name}" for role in ("sender", "receiver") for name in ("name", "line1", "city", "country")),
    )
    optional_columns = (
        "tracking_number",
        "declared_value",
        "currency",
        *(
            f"{role}_{name}"
            for role in ("sender", "receiver")
            for name in ("email", "phone", "line2", "region", "postal_code")
        ),
        "sender_notify_sms",
        "sender_notify_email",
        "receiver_notify_sms",
        "receiver_notify_email",
        "created_at",
    )
    # The state export_packages adds: an export re-imports as unchanged (a backup), these columns unread.
    ignored_columns = tuple(
        sorted(set(EXPORT_COLUMNS).difference(required_columns, optional_columns), key=EXPORT_COLUMNS.index)
    )

    def __init__(self, *, update_parties: bool = False):
        # Whether a row may change a registered parcel's sender and receiver (recorded as a PackageChange).
        self.update_parties = update_parties

    def prepare(self) -> None:
        self.price_list = PriceList.load()
        # Rows without a tracking number read from stdin: registered under numbers no re-run can find.
        self.unremembered = 0
        self.start = network_start()
        self.our_country = settings.TRACKING_NUMBER_COUNTRY
        # Set by the writes: the last batch was mostly new packages, so the reader thread
        # prices the next one ahead (a file of new parcels); a re-run prices nothing.
        self.price_ahead = False
        self.offices = {office.code: office for office in Office.objects.select_related("location")}
        # Django's own email check, its domain part remembered per domain (a file has few).
        self._email_user = validate_email.user_regex.match
        self._email_domains: dict[str, bool] = {}
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_get_serial_sequence('shipments_package', 'id'),"
                " pg_get_serial_sequence('offices_location', 'id')"
            )
            self._package_ids, self._location_ids = cursor.fetchone()

    # --- one row (no database: check_batch runs in the reader thread) ---------------------

    def _is_email(self, value: str) -> bool:
        """``validate_email`` (django.core.validators.EmailValidator), with the
        verdict on each domain remembered: the domain check is its slow part."""
        if "@" not in value or len(value) > 320:
            return False
        user, domain = value.rsplit("@", 1)
        if not self._email_user(user):
            return False
        known = self._email_domains.get(domain)
        if known is None:
            known = self._email_domains[domain] = domain in validate_email.domain_allowlist or bool(
                validate_email.validate_domain_part(domain)
            )
        return known

    def _party(self, role: str, row: dict[str, str], problems: dict[str, str]) -> Party:
        """The sender or receiver of a row whose values are stripped."""
        get = row.get
        sms = flag(get(f"{role}_notify_sms", ""))
        if sms is None:
            problems[f"{role}_notify_sms"] = "Use true or false."
        email_flag = flag(get(f"{role}_notify_email", ""))
        if email_flag is None:
            problems[f"{role}_notify_email"] = "Use true or false."
        email = get(f"{role}_email", "")
        if email and not self._is_email(email):
            problems[f"{role}_email"] = "Not an email address."
        return Party(
            name=row[f"{role}_name"],
            address=Address(
                line1=row[f"{role}_line1"],
                line2=get(f"{role}_line2", ""),
                city=row[f"{role}_city"],
                region=get(f"{role}_region", ""),
                postal_code=get(f"{role}_postal_code", ""),
                country=row[f"{role}_country"],
            ),
            phone=get(f"{role}_phone", ""),
            email=email,
            notify_sms=bool(sms),
            notify_email=bool(email_flag),
        )

    def check_row(self, row: dict[str, str], now: datetime) -> tuple["Staged | None", dict[str, str]]:
        """The staged row of a good row (tracking number possibly empty), or every problem."""
        problems: dict[str, str] = {}
        # Every value is stored stripped (strip each once), a tab kept before a formula (registered_text).
        row = {name: value.strip() if value[:1] != "\t" else registered_text(value) for name, value in row.items()}
        get = row.get
        tracking_number = get("tracking_number", "")
        if tracking_number:
            try:
                tracking_number = normalize_tracking_number(tracking_number)
            except InvalidTrackingNumber as error:
                problems["tracking_number"] = str(error)
        origin_code = row["origin_office"].upper()
        origin = self.offices.get(origin_code)
        if origin is None:
            problems["origin_office"] = f"Unknown office code “{origin_code}”." if origin_code else "Required."
        destination_code = row["destination_office"].upper()
        destination = self.offices.get(destination_code)
        if destination is None:
            problems["destination_office"] = (
                f"Unknown office code “{destination_code}”." if destination_code else "Required."
            )
        declared_text = get("declared_value", "")
        declared_value: Any = ZERO
        if declared_text:
            try:
                declared_value = Decimal(declared_text)
            except InvalidOperation:
                declared_value = declared_text
        parcel = Parcel(
            origin_office=origin or NO_OFFICE,
            destination_office=destination or NO_OFFICE,
            service=row["service"],
            weight_grams=whole(row["weight_grams"]),  # type: ignore[arg-type]
            length_cm=whole(row["length_cm"]),  # type: ignore[arg-type]
            width_cm=whole(row["width_cm"]),  # type: ignore[arg-type]
            height_cm=whole(row["height_cm"]),  # type: ignore[arg-type]
            declared_value=declared_value,
            currency=get("currency", "") or None,
        )
        sender = self._party("sender", row, problems)
        receiver = self._party("receiver", row, problems)
        rule_problems = party_problems("sender", sender) + party_problems("receiver", receiver)
        rule_problems += self.price_list.problems(parcel)
        for problem in rule_problems:
            problems.setdefault(column_of(problem.field), problem.sentence or problem.message)
        created_at = now
        created_text = get("created_at", "")
        if created_text:
            try:
                created_at = datetime.fromisoformat(created_text)
            except ValueError:
                problems["created_at"] = "Use ISO 8601, e.g. 2026-03-01T09:30:00Z."
            else:
                if created_at.tzinfo is None:
                    created_at = created_at.replace(tzinfo=UTC)
                for problem in time_problems(
                    "created_at", created_at, now=now, start=self.start, what="A registration"
                ):
                    problems["created_at"] = problem.message
        if problems:
            return None, problems
        left_out = LEAVABLE_NAMES.difference(row)
        absent = tuple(sorted(LEAVABLE[name] for name in left_out)) if left_out else ()
        compared, comparable = compared_text(parcel, sender, receiver, absent)
        staged = Staged(tracking_number, compared, comparable, parcel, str(created_at))
        staged.absent = absent
        return staged, {}

    # --- one batch -----------------------------------------------------------------------

    def check_batch(self, rows: list[tuple[int, dict[str, str]]]) -> "CheckedBatch":
        checked = CheckedBatch()
        now = timezone.now()
        lines_of: dict[str, int] = {}
        for number, row in rows:
            staged, problems = self.check_row(row, now)
            if staged is None:
                checked.rejected[number] = problems
                continue
            staged.line = number
            tracking_number = staged.tracking_number
            if tracking_number:
                if tracking_number in lines_of:
                    checked.rejected[number] = {
                        "tracking_number": f"Also on line {lines_of[tracking_number]} of this batch."
                    }
                    continue
                lines_of[tracking_number] = number
            checked.staged.append(staged)
        if self.price_ahead:
            for staged in checked.staged:
                staged.costs = self._costs(staged)
        return checked

    def _costs(self, staged: Staged) -> str:
        """The COST columns of a new package as COPY text, priced by the counter's tariffs."""
        cost = self.price_list.price(staged.parcel)
        return (
            f"{cost.chargeable_weight_grams}\t{cost.distance_km}\t{cost.base}\t{cost.weight}\t"
            f"{cost.distance}\t{cost.insurance}\t{cost.surcharges}\t{cost.tax}\t{cost.total}\t"
            f"{cost.currency}\t{cost.transit_days}"
        )

    def import_batch(self, checked: "CheckedBatch") -> BatchResult:
        result = BatchResult(rejected=checked.rejected)
        unnumbered: dict[str, list[Staged]] = {}
        for staged in checked.staged:
            if not staged.tracking_number:
                unnumbered.setdefault(staged.parcel.service, []).append(staged)
        given = self._numbers_given_before([staged.line for rows in unnumbered.values() for staged in rows])
        generated = []
        for service, staged_rows in unnumbered.items():
            fresh = [staged for staged in staged_rows if staged.line not in given]
            for staged in staged_rows:
                staged.generated = True
                if staged.line in given:
                    staged.tracking_number = given[staged.line]
            for staged, tracking_number in zip(fresh, tracking_numbers_for(service, len(fresh)), strict=True):
                staged.tracking_number = tracking_number
                generated.append(staged)
        if self.file is None:
            self.unremembered += len(generated)
        elif generated:
            kind, source, identity = self.file
            GeneratedTrackingNumber.objects.bulk_create(
                GeneratedTrackingNumber(
                    kind=kind,
                    source=source,
                    identity=identity,
                    line=staged.line,
                    tracking_number=staged.tracking_number,
                )
                for staged in generated
            )
        if checked.staged:
            self._write(checked.staged, result)
        return result

    def warnings(self) -> list[str]:
        if not self.unremembered:
            return []
        return [
            f"{self.unremembered} row(s) without a tracking number came from stdin, which cannot be recognised "
            "again: importing the same rows again registers them again. Import a file or an s3:// object to make "
            "re-runs find them."
        ]

    def _numbers_given_before(self, lines: list[int]) -> dict[int, str]:
        """The numbers an earlier run of this same file gave these lines (rows without one)."""
        if not lines or self.file is None:
            return {}
        kind, source, identity = self.file
        return dict(
            GeneratedTrackingNumber.objects.filter(
                kind=kind, source=source, identity=identity, line__in=lines
            ).values_list("line", "tracking_number")
        )

    def _without_our_numbers(self, good: list[Staged], registered: dict[str, Any], result: BatchResult) -> list[Staged]:
        """The rows but those of new parcels whose number from the file is ours to issue (rejected)."""
        kept = []
        for staged in good:
            if not staged.generated and staged.tracking_number not in registered:
                problems = imported_number_problems(staged.tracking_number, our_country=self.our_country)
                if problems:
                    result.rejected[staged.line] = {problem.field: problem.message for problem in problems}
                    continue
            kept.append(staged)
        return kept

    def _write(self, good: list["Staged"], result: BatchResult) -> None:
        with connection.cursor() as cursor:
            # The packages already registered, by one index lookup, with what the file could change
            # (as text, the staged row's own form): a row that changes nothing is not staged at all.
            cursor.execute(
                f"SELECT p.tracking_number, p.id, p.sender_address_id, p.receiver_address_id, {STORED_TEXT}"
                " FROM shipments_package p JOIN offices_location s ON s.id = p.sender_address_id"
                " JOIN offices_location r ON r.id = p.receiver_address_id WHERE p.tracking_number = ANY(%s)",
                [[staged.tracking_number for staged in good]],
            )
            registered = {number: rest for number, *rest in cursor.fetchall()}
            good = self._without_our_numbers(good, registered, result)
            new = len(good) - len(registered)
            self.price_ahead = new > len(good) // 2
            if new:
                cursor.execute(
                    "SELECT nextval(%s::regclass), nextval(%s::regclass), nextval(%s::regclass)"
                    " FROM generate_series(1, %s)",
                    [self._package_ids, self._location_ids, self._location_ids, new],
                )
                fresh_ids = iter(cursor.fetchall())
            lines = []
            for staged in good:
                found = registered.get(staged.tracking_number)
                if found is None:
                    # New: priced ahead, or here (so an unchanged row of a re-run is never priced).
                    package_id, sender_id, receiver_id = next(fresh_ids)
                    costs = staged.costs or self._costs(staged)
                    is_new = "t"
                else:
                    package_id, sender_id, receiver_id, stored = found
                    if staged.comparable and stored == (
                        filled(staged.compared, stored, staged.absent) if staged.absent else staged.compared
                    ):
                        result.unchanged += 1
                        continue
                    # Registered: its cost is frozen (its charge is immutable), so it is not priced.
                    costs, is_new = NO_COST, "f"
                lines.append(
                    f"{staged.line}\t{staged.tracking_number}\t{staged.compared}\t{costs}\t{staged.created_at}\t"
                    f"{package_id}\t{sender_id}\t{receiver_id}\t{is_new}\n"
                )
            if not lines:
                return
            stage(cursor, lines)
            if len(lines) > new:
                existing = len(lines) - new - reject_frozen_changes(cursor, result)
                changes = party_changes(cursor)
                if changes:
                    change_parties(
                        cursor, changes, result, allowed=self.update_parties, source=self.location or "stdin"
                    )
                result.unchanged += existing - len(changes)
            if new:
                result.created += insert_new(cursor)
