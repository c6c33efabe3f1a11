"""Record a ``delayed`` event (reason ``eta_passed``) for packages past their
ETA (the scheduled job, every 15 minutes). Idempotent."""

from django.core.management.base import BaseCommand

from notifications.delays import detect_delays


class Command(BaseCommand):
    help = (
        "Record 'delayed' (eta_passed) for packages past their expected delivery and not delivered, once per "
        "package and ETA, through package_record_event (so they notify as any event). --dry-run rolls back."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Roll back: record and send nothing.")

    def handle(self, *args, dry_run: bool, **options):
        summary = detect_delays(dry_run=dry_run)
        prefix = "dry run, rolled back: " if dry_run else ""
        self.stdout.write(f"{prefix}recorded {summary.recorded}, skipped {summary.skipped} (changed meanwhile)")
