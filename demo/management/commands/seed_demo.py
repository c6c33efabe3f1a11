"""Demo data for a laptop or a scale test: offices, tariffs, users and packages.

Idempotent: a second run changes nothing. Sends no notifications for the
generated (bulk) packages.
"""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo.bags import seed_demo_bags
from demo.bulk import bulk_generate_packages
from demo.money import seed_demo_money
from demo.seed import DEMO_PACKAGES, Summary, _party, seed_demo_packages, seed_network
from notifications.muting import muted


class Command(BaseCommand):
    help = (
        "Load demo data: offices in several cities, tariffs for every service, an HQ superuser (hq), "
        "a clerk and a manager per office (clerk.<code>, manager.<code>) and a few hundred packages over "
        "every status, and bags between offices in every state, and their money: payments, tills cashed up, "
        "past days closed, two cash on delivery parcels (one to collect at NYC01). "
        "--packages N tops the package table up to N with generated packages (bulk SQL, "
        "no notifications). Demo passwords are for local use only: refuses to run unless the settings set "
        "DEMO_DATA_ALLOWED (local and test do)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--packages",
            type=int,
            default=0,
            help="Make sure there are at least N packages, generating the missing ones in bulk.",
        )

    def handle(self, *args, packages: int, **options):
        # The demo users' passwords are in the README: refuse anywhere but a
        # laptop or a test run, even if someone installs this app elsewhere.
        if not getattr(settings, "DEMO_DATA_ALLOWED", False):
            raise CommandError(
                f"seed_demo creates an HQ superuser with a published password, so it refuses to run with "
                f"{settings.SETTINGS_MODULE or 'these settings'}: only settings with DEMO_DATA_ALLOWED = True "
                "(config.settings.local and config.settings.test) allow it."
            )
        if packages < 0:
            raise CommandError("--packages must be zero or more.")
        summary = Summary()
        started = time.perf_counter()
        offices = seed_network(summary)
        with muted():  # demo history is not news: no outbox rows, nothing logged or sent
            seed_demo_packages(offices, summary, count=DEMO_PACKAGES)
            seed_demo_bags(offices, summary, _party)
            seed_demo_money(offices, summary)
        if packages:
            bulk_generate_packages(
                packages, summary, progress=lambda message: self.stderr.write(f"seed_demo: {message}")
            )
        elapsed = time.perf_counter() - started
        changed = any(not key.endswith(" unchanged") for key in summary)
        if changed or options["verbosity"] > 1:
            # A rerun that changes nothing says nothing (make run's second start).
            parts = ", ".join(f"{key}: {value}" for key, value in sorted(summary.items()))
            self.stdout.write(self.style.SUCCESS(f"Demo data ready in {elapsed:.1f}s ({parts})."))
