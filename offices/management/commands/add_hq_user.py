"""Create or update a member of HQ: how a fresh deployment gets its first
administrator without an interactive prompt (`zappa manage` has no terminal).
Idempotent."""

import sys

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import URLValidator, validate_email

from offices.services import hq_member_upsert, password_set_path


class Command(BaseCommand):
    help = (
        "Create or update staff user USERNAME as a member of HQ (sees and manages every office). "
        "A new user without --password-stdin gets a one-time link to choose their password (valid for "
        "three days, unusable once used); production then asks HQ for a second factor: add_totp_device."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--email", help="Email address of the user.")
        parser.add_argument("--password-stdin", action="store_true", help="Read a password from standard input.")
        parser.add_argument(
            "--url",
            help="The site's address for the printed link, e.g. https://<api-id>.execute-api.<region>.amazonaws.com/"
            "production (default: https:// and the first DJANGO_ALLOWED_HOSTS entry).",
        )

    def handle(self, *args, username, email, password_stdin, url, **options):
        if email is not None:
            try:
                validate_email(email)
            except ValidationError:
                raise CommandError(f"“{email}” is not an email address.") from None
        base = (url or f"https://{settings.ALLOWED_HOSTS[0].lstrip('.')}").rstrip("/")
        try:
            URLValidator(schemes=["https", "http"])(base)
        except ValidationError:
            raise CommandError(f"--url {base} is not a web address.") from None
        password = None
        if password_stdin:
            password = sys.stdin.readline().rstrip("\n")
            if not password:
                raise CommandError("No password on standard input.")
        try:
            user, created, changed = hq_member_upsert(actor=None, username=username, email=email, password=password)
        except ValidationError as error:
            problems = [f"{field}: {message}" for field, messages in error.message_dict.items() for message in messages]
            raise CommandError(f"{username} was not saved. " + " ".join(problems)) from None
        except PermissionDenied as refusal:
            raise CommandError(str(refusal)) from None
        state = "created" if created else "updated" if changed else "unchanged"
        self.stdout.write(self.style.SUCCESS(f"{username}: {state}, member of HQ."))
        if not user.has_usable_password():
            self.stdout.write(f"{username} chooses a password here (one time, within three days):")
            self.stdout.write(base + password_set_path(user))
