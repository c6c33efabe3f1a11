"""The Lambda function Zappa wires to S3 ``ObjectCreated`` events under
``imports/``: it runs the import the key names (``imports/offices/…``,
``imports/packages/…``, ``imports/events/…``), resuming the file's earlier run,
and stops a little before the invocation's time is up. A file too large for
one invocation is continued by a follow-up invocation of the same function
with the same event (``--resume`` semantics), instead of being cut off.

Rejected rows go to ``import-errors/<key>.from-<row>.csv`` in the same bucket
(outside ``imports/``, so writing them triggers nothing). An events import
sorts its file once, in its first invocation, and keeps the sorted rows under
``import-sorted/`` for the follow-ups (the bucket's lifecycle rule expires them).
"""

import json
import logging
import os
from typing import Any
from urllib.parse import unquote_plus

PREFIX = "imports/"
ERRORS_PREFIX = "import-errors/"
# An events import's rows sorted by the first invocation, read by the follow-ups (imports.sorted_copy).
SORTED_PREFIX = "import-sorted/"
# Seconds kept back at the end of an invocation to commit the batch under way and hand over.
SAFETY_MARGIN_SECONDS = 60.0

logger = logging.getLogger(__name__)


def _importer(kind: str) -> Any:
    from offices.imports import OfficeImporter
    from shipments.imports.events import EventImporter
    from shipments.imports.packages import PackageImporter

    importers = {"offices": OfficeImporter, "packages": PackageImporter, "events": EventImporter}
    importer = importers.get(kind)
    return importer() if importer else None


def _invoke_self(event: dict[str, Any], context: Any) -> None:
    """Run this function again, asynchronously, with the same event."""
    import boto3

    boto3.client("lambda").invoke(
        FunctionName=context.invoked_function_arn, InvocationType="Event", Payload=json.dumps(event).encode()
    )


# The follow-up invocation: a module attribute so a test can see the hand-over without AWS Lambda.
follow_up = _invoke_self


def refuse_the_owners_credentials() -> None:
    """The files come from outside: the process that parses them runs as the
    application's database role only, never with the tables' owner's URL
    (DATABASE_MIGRATION_URL), which could switch the append-only triggers off.
    Migrations have a function of their own (docs/deploy.md)."""
    from django.core.exceptions import ImproperlyConfigured
    from django.db import connections

    application, owner = connections["default"].settings_dict, connections["migrations"].settings_dict
    if any(application.get(key) != owner.get(key) for key in ("USER", "PASSWORD", "HOST", "PORT", "NAME")):
        raise ImproperlyConfigured(
            "The S3 import reads files from outside and must run with the application's database role only: "
            "remove DATABASE_MIGRATION_URL from this function's environment (migrations run on the "
            "<stage>_migrations function, docs/deploy.md)."
        )


def handle_s3_event(event: dict[str, Any], context: Any) -> list[dict[str, Any]]:
    """Import every object the event names; returns what each run did."""
    import django
    from django.apps import apps

    if not apps.ready:
        django.setup()
    refuse_the_owners_credentials()
    from .framework import DEFAULT_BATCH_SIZE, run_import
    from .models import ImportRun

    outcomes = []
    unfinished = False
    for record in event.get("Records", []):
        if not str(record.get("eventName", "")).startswith("ObjectCreated"):
            continue
        bucket = record["s3"]["bucket"]["name"]
        key = unquote_plus(record["s3"]["object"]["key"])
        kind = key[len(PREFIX) :].split("/", 1)[0] if key.startswith(PREFIX) else ""
        importer = _importer(kind)
        if importer is None:
            logger.warning("import: no import for s3://%s/%s (use imports/offices|packages|events/...)", bucket, key)
            continue
        location = f"s3://{bucket}/{key}"
        earlier = (
            ImportRun.objects.filter(kind=importer.kind, source=location).exclude(state=ImportRun.State.DONE).first()
        )
        errors = f"s3://{bucket}/{ERRORS_PREFIX}{key}.from-{earlier.rows_done if earlier else 0}.csv"
        remaining = context.get_remaining_time_in_millis() / 1000
        summary, run = run_import(
            importer,
            location,
            errors=errors,
            resume=True,
            batch_size=int(os.environ.get("IMPORT_BATCH_SIZE", DEFAULT_BATCH_SIZE)),
            time_limit=max(remaining - SAFETY_MARGIN_SECONDS, 0.0),
            sorted_copies=f"s3://{bucket}/{SORTED_PREFIX}",
        )
        logger.info("%s %s: %s", importer.kind, location, summary.line())
        outcomes.append({"source": location, "finished": summary.finished, "summary": summary.line()})
        unfinished = unfinished or not summary.finished
    if unfinished:
        follow_up(event, context)
    return outcomes
