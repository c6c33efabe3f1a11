"""Import the office list from network planning (CSV or JSONL; path, - or s3://)."""

from django.core.management.base import BaseCommand

from imports.framework import add_import_arguments, run_import_command
from offices.imports import OfficeImporter


class Command(BaseCommand):
    help = (
        "Create or update offices by code from code,name,line1,line2,city,region,postal_code,country,"
        "latitude,longitude,phone,email,timezone. Coordinates are required; the time zone is an IANA name. "
        "Exit status 0: all rows taken; 1: some rejected (see --errors); 2: the file cannot be read."
    )

    def add_arguments(self, parser):
        add_import_arguments(parser)

    def handle(self, *args, **options):
        run_import_command(self, OfficeImporter(), options)
