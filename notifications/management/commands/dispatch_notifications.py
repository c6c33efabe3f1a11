"""Deliver the notifications that are due (the scheduled job, every minute)."""

from django.core.management.base import BaseCommand

from notifications.services import dispatch_due


class Command(BaseCommand):
    help = "Deliver due notifications from the outbox (SKIP LOCKED: safe to run concurrently)."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=1000, help="At most this many rows in this run.")

    def handle(self, *args, limit: int, **options):
        totals = dispatch_due(limit=limit)
        self.stdout.write(
            f"sent {totals['sent']}, skipped {totals['skipped']}, will retry or failed {totals['errors']}"
        )
