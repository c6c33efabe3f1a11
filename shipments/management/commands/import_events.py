"""Import scan events from partner carriers (CSV or JSONL; path, - or s3://)."""

from django.core.management.base import BaseCommand

from imports.framework import add_import_arguments, run_import_command
from shipments.imports.events import EventImporter


class Command(BaseCommand):
    help = (
        "Record tracking events (tracking_number,status,office,occurred_at,note,reason,external_id[,received_by]) "
        "in time order per package through the service's transition rules; an illegal step rejects its row. "
        "Idempotent by external_id (else tracking number + status + time). Bulk SQL fires no signals: without "
        "--notify nothing is sent. Exit status 0: all rows taken; 1: some rejected; 2: the file cannot be read."
    )

    def add_arguments(self, parser):
        add_import_arguments(parser)
        parser.add_argument(
            "--notify",
            action="store_true",
            help="Enqueue notifications for the new events through the outbox (the dispatcher sends them).",
        )

    def handle(self, *args, **options):
        run_import_command(self, EventImporter(notify=options["notify"] and not options["dry_run"]), options)
