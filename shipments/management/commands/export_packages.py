"""Export packages (CSV or JSONL, optionally gzip) to a path, - or s3://, with the API list's filters."""

from django.core.management.base import BaseCommand, CommandError

from imports.sources import FORMATS
from shipments.imports.exports import FILTERS, export_format, export_packages


class Command(BaseCommand):
    help = (
        "Write the packages the filters select (those of GET /api/v1/packages/: status, service, origin_office, "
        "destination_office, current_office, created_after, created_before, search) to a path, - or s3://bucket/key, "
        "streamed: a million rows need little memory. CSV or JSONL only (.csv, .jsonl, .gz; - is CSV); an unknown "
        "office or a mistyped tracking number is exit status 2. CSV cells that would run as a spreadsheet formula "
        "get a quote in front, which import_packages takes off: an export re-imports as unchanged."
    )

    def add_arguments(self, parser):
        parser.add_argument("destination", help="A path, - for stdout, or s3://bucket/key.")
        parser.add_argument("--format", choices=FORMATS, help="Instead of the file name's extension.")
        for name in FILTERS:
            parser.add_argument(f"--{name.replace('_', '-')}", dest=name, metavar="VALUE")

    def handle(self, *args, **options):
        destination = options["destination"]
        filters = {name: options[name] for name in FILTERS if options[name] is not None}
        try:
            rows = export_packages(destination, fmt=export_format(destination, options["format"]), filters=filters)
        except ValueError as error:
            raise CommandError(str(error), returncode=2) from error
        self.stderr.write(f"export_packages: {rows} packages written to {destination}")
