"""What every import shares: reading (``imports.sources``: a path, ``-`` or
``s3://``, CSV or JSONL, gzip, the header check), batches committed one by one
with the run's record, ``--dry-run``, the errors file, progress and the summary.

An importer (``offices.imports``, ``shipments.imports``) says which columns it
takes and turns one batch of rows into counts and rejections in two steps:
``check_batch`` (parsing, rules, pricing: Python only, no database) and
``import_batch`` (the writes: COPY into a staging table and set-based SQL, see
``copy_rows``). The run checks the next batch in a reader thread while
PostgreSQL writes the current one (``read_ahead``): the database works in its
own process, and psycopg2 lets go of the GIL while it waits for it, so the two
halves of the work overlap on two cores.
"""

import contextlib
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from .errors_file import ErrorsFile, Rejections
from .models import ImportRun
from .read_ahead import read_ahead
from .sorted_copy import rows_through_sorted_copy, sorted_copy_url
from .sorting import sorted_rows
from .sources import FORMATS, BrokenFile, file_identity, format_of, open_binary, read_rows

DEFAULT_BATCH_SIZE = 10_000
PROGRESS_EVERY_SECONDS = 10.0


@dataclass
class BatchResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: Rejections = field(default_factory=dict)


class Importer:
    """One kind of import. Subclasses set the columns and write ``import_batch``."""

    kind = ""
    # (kind, source, identity) of the file being imported; None for stdin (no identity).
    file: tuple[str, str, str] | None = None
    # Where the rows come from (a path, "-" or an s3:// URL), for what the importer records.
    location = ""
    required_columns: tuple[str, ...] = ()
    optional_columns: tuple[str, ...] = ()
    # Columns a file may have that the import does not read (an export's read-only state):
    # accepted, and named in the summary. ``ignored_in_file``: those the file has.
    ignored_columns: tuple[str, ...] = ()
    ignored_in_file: list[str] = []  # noqa: RUF012 (replaced per file, never changed in place)

    # True: the rows are taken in ``order_key`` order, not the file's: the whole
    # file is read and sorted first (``imports.sorting``), then batched.
    ordered = False

    def order_key(self, row: dict[str, str]) -> tuple[Any, ...]:
        """Where a row goes when ``ordered`` (ties keep the file's order)."""
        return ()

    def prepare(self) -> None:
        """Load what every batch needs (offices, tariffs) once per run."""

    def check_batch(self, rows: list[tuple[int, dict[str, str]]]) -> Any:
        """What can be done to a batch without the database (parsing, rules,
        pricing), handed to ``import_batch``. Runs in the reader thread, one
        batch ahead of the writes: it must not touch the database."""
        return rows

    def import_batch(self, checked: Any) -> BatchResult:
        """Write one checked batch, inside the batch's transaction."""
        raise NotImplementedError

    def warnings(self) -> list[str]:
        """What the summary should warn about once the run is over."""
        return []


# --- the run ---------------------------------------------------------------------------------


@dataclass
class Summary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    rows: int = 0
    # Of ``rows``, those this run did (a resumed run's counts include the earlier runs').
    rows_this_run: int = 0
    elapsed: float = 0.0
    finished: bool = True
    dry_run: bool = False
    ignored_columns: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def add(self, result: BatchResult, rows: int) -> None:
        self.created += result.created
        self.updated += result.updated
        self.unchanged += result.unchanged
        self.rejected += len(result.rejected)
        self.rows += rows
        self.rows_this_run += rows

    def line(self) -> str:
        # The rate is this run's: rows an earlier run did took none of this run's time.
        rate = self.rows_this_run / self.elapsed if self.elapsed else 0.0
        rows = (
            f"{self.rows} rows"
            if self.rows == self.rows_this_run
            else f"{self.rows} rows ({self.rows_this_run} this run)"
        )
        text = (
            f"created {self.created}, updated {self.updated}, unchanged {self.unchanged}, "
            f"rejected {self.rejected}; {rows} in {self.elapsed:.1f} s ({rate:,.0f} rows/s)"
        )
        if self.ignored_columns:
            text += f"; ignored column(s), not imported: {', '.join(self.ignored_columns)}"
        for warning in self.warnings:
            text += f"; warning: {warning}"
        if self.dry_run:
            text += " (dry run: nothing was written)"
        if not self.finished:
            text += " (paused: run again with --resume to continue)"
        return text


class _DryRunRollback(Exception):
    pass


class Progress:
    """tqdm on a terminal, a one-line record every few seconds otherwise (CloudWatch)."""

    def __init__(self, stream: IO[str], kind: str):
        self.stream, self.kind = stream, kind
        self.started = self.last = time.monotonic()
        self.bar: Any = None
        if stream.isatty():
            from tqdm import tqdm

            self.bar = tqdm(file=stream, unit=" rows", desc=kind)

    def update(self, rows: int, total_rows: int) -> None:
        if self.bar is not None:
            self.bar.update(rows)
            return
        now = time.monotonic()
        if now - self.last >= PROGRESS_EVERY_SECONDS:
            self.last = now
            rate = total_rows / (now - self.started)
            self.stream.write(f"{self.kind}: {total_rows} rows done ({rate:,.0f} rows/s)\n")
            self.stream.flush()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _batches(rows: Iterator[tuple[int, dict[str, str]]], size: int) -> Iterator[list[tuple[int, dict[str, str]]]]:
    batch: list[tuple[int, dict[str, str]]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


@dataclass
class _Checked:
    """A batch after ``check_batch``: its size, the lines that could not be read, the importer's result."""

    rows: int
    unreadable: Rejections
    checked: Any


def _missing(row: dict[str, str], required: tuple[str, ...]) -> dict[str, str]:
    """The problems of a row without some of the required columns (a JSONL line
    may leave out keys the first line had)."""
    return {name: "Required: this line has no such key." for name in required if name not in row}


def _checked_batches(importer: Importer, rows: Iterator[tuple[int, dict[str, str]]], size: int) -> Iterator[_Checked]:
    required = importer.required_columns
    every = frozenset(required)
    for batch in _batches(rows, size):
        unreadable: Rejections = {}
        readable = []
        for number, row in batch:
            if "_line" in row:
                unreadable[number] = {"_line": row["_line"]}
            elif not every.issubset(row.keys()):
                unreadable[number] = _missing(row, required)
            else:
                readable.append((number, row))
        yield _Checked(len(batch), unreadable, importer.check_batch(readable) if readable else None)


def run_import(
    importer: Importer,
    location: str,
    *,
    fmt: str | None = None,
    dry_run: bool = False,
    errors: str | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    resume: bool = False,
    time_limit: float | None = None,
    sorted_copies: str | None = None,
    stderr: IO[str] = sys.stderr,
) -> tuple[Summary, ImportRun | None]:
    """Import ``location`` batch by batch; each batch commits with the run's
    record, so ``resume`` continues after the last committed one. With
    ``time_limit`` (seconds) the run pauses before a batch that would start after it
    (Lambda's follow-up invocation resumes it). A dry run is one transaction,
    rolled back at the end. ``sorted_copies`` (an s3:// prefix, for an ordered
    import of an S3 object): the sorted rows are kept there between the runs
    that resume one another (``imports.sorted_copy``), so the file is sorted once."""
    fmt = format_of(location, fmt)
    identity = file_identity(location)
    started = time.monotonic()
    summary = Summary(dry_run=dry_run)
    run: ImportRun | None = None
    skip = 0
    keep: int | None = None
    if resume and not dry_run:
        if not identity:
            raise CommandError("--resume needs a file or an S3 object (stdin cannot be read twice).")
        run = (
            ImportRun.objects.filter(kind=importer.kind, source=location, identity=identity)
            .exclude(state=ImportRun.State.DONE)
            .first()
        )
        if run is not None:
            skip = run.rows_done
            summary.created, summary.updated = run.created, run.updated
            summary.unchanged, summary.rejected, summary.rows = run.unchanged, run.rejected, run.rows_done
            if errors and errors == run.errors_location:
                # The same errors file: what the committed batches wrote, without a batch a crash rolled back.
                keep = run.errors_size
            run.state = ImportRun.State.RUNNING
            run.errors_location, run.errors_size = errors or "", keep or 0
            run.save(update_fields=["state", "errors_location", "errors_size", "updated_at"])
    if run is None and not dry_run:
        run = ImportRun.objects.create(
            kind=importer.kind, source=location, identity=identity, errors_location=errors or ""
        )

    copy_url = (
        sorted_copy_url(sorted_copies, location, identity)
        if sorted_copies and importer.ordered and location.startswith("s3://") and not dry_run
        else None
    )
    errors_file = ErrorsFile(errors, append=skip > 0, keep=keep)
    progress = Progress(stderr, importer.kind)
    stream: IO[bytes] | None = None
    try:
        stream = open_binary(location)
        # Which version of which file: rows without a key of their own are recognised by their line in it.
        importer.file = (importer.kind, location, identity) if identity else None
        importer.location = location
        importer.prepare()
        rows = read_rows(stream, fmt, importer, location)
        to_skip = skip
        if importer.ordered and copy_url:
            rows, to_skip = rows_through_sorted_copy(copy_url, rows, importer.order_key, skip), 0
        elif importer.ordered:
            rows = sorted_rows(rows, importer.order_key)
        if to_skip:
            rows = (row for number, row in enumerate(rows, start=1) if number > to_skip)
        batches = read_ahead(_checked_batches(importer, rows, batch_size))
        try:
            with transaction.atomic(durable=False) if dry_run else _nothing():
                for done, batch in enumerate(batches):
                    # At least one batch per run, so a paused file always moves on.
                    if done and time_limit is not None and time.monotonic() - started > time_limit:
                        summary.finished = False
                        break
                    with transaction.atomic():
                        _commit_without_waiting_for_the_disk()
                        result = _import_batch(importer, batch)
                        summary.add(result, batch.rows)
                        # Before the commit: a crash after it must not lose the batch's rejections.
                        errors_file.write(result.rejected)
                        if run is not None:
                            _record(run, summary, errors_file.size())
                    progress.update(batch.rows, summary.rows)
                if dry_run:
                    raise _DryRunRollback
        except _DryRunRollback:
            pass
        finally:
            batches.close()
    except BrokenFile as error:
        if run is not None:
            ImportRun.objects.filter(pk=run.pk).update(state=ImportRun.State.FAILED, message=str(error))
        raise
    except Exception as error:
        # Not left "running": the record says the run stopped, and why.
        if run is not None:
            with contextlib.suppress(DatabaseError):  # the database itself may be what failed
                ImportRun.objects.filter(pk=run.pk).update(
                    state=ImportRun.State.FAILED, message=f"{type(error).__name__}: {error}"[:2000]
                )
        raise
    finally:
        progress.close()
        errors_file.close()
        if stream is not None and stream is not sys.stdin.buffer:
            stream.close()
    summary.elapsed = time.monotonic() - started
    summary.ignored_columns = list(importer.ignored_in_file)
    summary.warnings = importer.warnings()
    if run is not None:
        run.state = ImportRun.State.DONE if summary.finished else ImportRun.State.PAUSED
        run.save(update_fields=["state", "updated_at"])
    return summary, run


class _nothing:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def _import_batch(importer: Importer, batch: _Checked) -> BatchResult:
    result = importer.import_batch(batch.checked) if batch.checked is not None else BatchResult()
    result.rejected.update(batch.unreadable)
    return result


def _commit_without_waiting_for_the_disk() -> None:
    """A crash may lose the last batches committed this way, but their rows and
    the run's progress go together (one transaction), so ``--resume`` redoes
    exactly them; the commit no longer waits for the WAL flush."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit = off")


def _record(run: ImportRun, summary: Summary, errors_size: int) -> None:
    ImportRun.objects.filter(pk=run.pk).update(
        rows_done=summary.rows,
        errors_size=errors_size,
        created=summary.created,
        updated=summary.updated,
        unchanged=summary.unchanged,
        rejected=summary.rejected,
    )


# --- the commands --------------------------------------------------------------------------


def add_import_arguments(parser: Any) -> None:
    parser.add_argument("source", help="A path, - for stdin, or s3://bucket/key.")
    parser.add_argument("--format", choices=FORMATS, help="Instead of the file name's extension.")
    parser.add_argument("--dry-run", action="store_true", help="Validate and apply, then roll back: writes nothing.")
    parser.add_argument("--errors", metavar="FILE", help="Write rejected rows (line, field, reason) here (or s3://).")
    parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE, help="Rows per committed batch.")
    parser.add_argument("--resume", action="store_true", help="Continue an interrupted run of the same file.")


def run_import_command(command: Any, importer: Importer, options: dict[str, Any]) -> None:
    """The shared body of every import command: run, print the summary, exit 1
    when rows were rejected (2 for a broken file, raised as BrokenFile)."""
    if options["batch_size"] < 1:
        raise CommandError("--batch-size must be at least 1.")
    summary, _run = run_import(
        importer,
        options["source"],
        fmt=options["format"],
        dry_run=options["dry_run"],
        errors=options["errors"],
        batch_size=options["batch_size"],
        resume=options["resume"],
        stderr=command.stderr._out,
    )
    command.stdout.write(f"{importer.kind}: {summary.line()}")
    if summary.rejected:
        raise CommandError(f"{summary.rejected} row(s) rejected.", returncode=1)
