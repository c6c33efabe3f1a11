"""Record a ``delayed`` event (reason ``eta_passed``) for packages past their
ETA (the scheduled job, every 15 minutes). Idempotent."""

from django.core.management.base import BaseCommand

from notifications.delays import RUN_LIMIT, detect_delays


class Command(BaseCommand):
    help = (
        "Record 'delayed' (eta_passed) for packages past their expected delivery and not delivered, once per "
        "package and ETA, through package_record_event (so they notify as any event). --dry-run rolls back."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Roll back: record and send nothing.")
        parser.add_argument("--limit", type=int, default=RUN_LIMIT, help="At most this many packages per run.")

    def handle(self, *args, dry_run: bool, limit: int, **options):
        summary = detect_delays(dry_run=dry_run, limit=limit)
        prefix = "dry run, rolled back: " if dry_run else ""
        self.stdout.write(f"{prefix}recorded {summary['recorded']}, skipped {summary['skipped']} (changed meanwhile)")
