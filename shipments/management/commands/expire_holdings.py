"""Remind receivers of parcels about to reach the end of their holding period,
and send back to their senders the parcels whose period has ended (the
scheduled job, every 15 minutes). Idempotent."""

from django.core.management.base import BaseCommand

from shipments.returns import RUN_LIMIT, expire_holdings


class Command(BaseCommand):
    help = (
        "Remind the receiver (once) of a parcel ready for pickup whose holding period ends within 3 days, and start "
        "the return to sender (reason holding_expired) of every parcel whose period has ended, through "
        "package_record_event. A second run changes nothing. --dry-run rolls back and sends nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Roll back: record and send nothing.")
        parser.add_argument("--limit", type=int, default=RUN_LIMIT, help="At most this many packages of each kind.")

    def handle(self, *args, dry_run: bool, limit: int, **options):
        summary = expire_holdings(dry_run=dry_run, limit=limit)
        prefix = "dry run, rolled back: " if dry_run else ""
        self.stdout.write(
            f"{prefix}reminded {summary['reminded']}, returned {summary['returned']}, "
            f"skipped {summary['skipped']} (changed meanwhile)"
        )
