"""Deliver the notifications that are due, and the partner webhooks' messages
(webhooks.delivery, after them): once (the scheduled jobs, every minute), or
every ``--every`` seconds until stopped (``make run``, where no scheduler runs)."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections, connection

from notifications.services import dispatch_due
from webhooks.delivery import dispatch_due as dispatch_webhooks


class Command(BaseCommand):
    help = (
        "Deliver due notifications from the outbox (SKIP LOCKED: safe to run concurrently). With --every SECONDS, "
        "again and again until stopped (Ctrl-C): a laptop's stand-in for the scheduled job."
    )

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=1000, help="At most this many rows in one run.")
        parser.add_argument(
            "--every", type=float, metavar="SECONDS", help="Run again every SECONDS until stopped (e.g. 60)."
        )
        parser.add_argument(
            "--runs", type=int, metavar="N", help="With --every: stop after N runs (default: until stopped)."
        )

    def handle(self, *args, limit: int, every: float | None, runs: int | None, **options):
        if every is not None and every <= 0:
            raise CommandError("--every takes a number of seconds greater than zero.")
        if every is None:
            self._run_once(limit, quiet_when_idle=False)
            return
        done = 0
        try:
            while runs is None or done < runs:
                if done:
                    time.sleep(every)
                self._run_once(limit, quiet_when_idle=True)
                # A run every minute for hours: a connection the server closed meanwhile is
                # opened afresh (not one inside a caller's transaction, which is the caller's).
                if not connection.in_atomic_block:
                    close_old_connections()
                done += 1
        except KeyboardInterrupt:
            pass  # Ctrl-C on `make run`: stop quietly

    def _run_once(self, limit: int, *, quiet_when_idle: bool) -> None:
        totals = dispatch_due(limit=limit)
        webhooks = dispatch_webhooks(limit=limit)
        if quiet_when_idle and not any(totals.values()) and not any(webhooks.values()):
            return
        self.stdout.write(
            f"sent {totals['sent']}, skipped {totals['skipped']}, will retry or failed {totals['errors']}"
        )
        if any(webhooks.values()):
            self.stdout.write(
                f"webhooks: delivered {webhooks['sent']}, will retry or failed {webhooks['errors']}, "
                f"left for the next run {webhooks['released']}"
            )
