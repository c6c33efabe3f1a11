"""Import parcels registered by partner systems (CSV or JSONL; path, - or s3://)."""

from django.core.management.base import BaseCommand

from imports.framework import add_import_arguments, run_import_command
from shipments.imports.packages import PackageImporter


class Command(BaseCommand):
    help = (
        "Register parcels (or bring their sender and receiver up to date) by tracking number; an empty tracking "
        "number gets a new one. Checked and priced by the counter's rules and tariffs. Sends no notifications "
        "(historical data; bulk SQL fires no signals). Exit status 0: all rows taken; 1: some rejected "
        "(see --errors); 2: the file cannot be read."
    )

    def add_arguments(self, parser):
        add_import_arguments(parser)

    def handle(self, *args, **options):
        run_import_command(self, PackageImporter(), options)
