"""Import parcels registered by partner systems (CSV or JSONL; path, - or s3://)."""

from django.core.management.base import BaseCommand

from imports.framework import add_import_arguments, run_import_command
from shipments.imports.packages import PackageImporter


class Command(BaseCommand):
    help = (
        "Register parcels (or, with --update-parties, change their sender and receiver) by tracking number; "
        "a column left out leaves the registered value as it is; an empty tracking "
        "number gets a new one. Checked and priced by the counter's rules and tariffs. Sends no notifications "
        "(historical data; bulk SQL fires no signals). Exit status 0: all rows taken; 1: some rejected "
        "(see --errors); 2: the file cannot be read."
    )

    def add_arguments(self, parser):
        add_import_arguments(parser)
        parser.add_argument(
            "--update-parties",
            action="store_true",
            help="Let rows change the sender and receiver of registered parcels (each change is recorded: "
            "who, when, what, on the package page). Without it such rows are rejected.",
        )

    def handle(self, *args, **options):
        run_import_command(self, PackageImporter(update_parties=options["update_parties"]), options)
