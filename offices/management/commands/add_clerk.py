"""Create or update a staff user who works at an office: how the first users of
a fresh deployment are made. Idempotent."""

import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email

from offices.models import Membership, Office
from offices.services import clerk_upsert


class Command(BaseCommand):
    help = (
        "Create or update staff user USERNAME with a membership at office CODE (repeat for more offices). "
        "Without --password-stdin a new user has no password and signs in through Cognito only. "
        "Passwords must pass the password validators (AUTH_PASSWORD_VALIDATORS)."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--office", required=True, help="Office code, e.g. NYC01.")
        parser.add_argument("--manager", action="store_true", help="Manager of the office (reports, clerks).")
        parser.add_argument("--email", help="Email address of the user.")
        parser.add_argument("--password-stdin", action="store_true", help="Read a password from standard input.")

    def handle(self, *args, username, office, manager, email, password_stdin, **options):
        code = office.strip().upper()
        try:
            office_obj = Office.objects.get(code=code)
        except Office.DoesNotExist:
            raise CommandError(f"There is no office {code}.") from None
        if email is not None:
            try:
                validate_email(email)
            except ValidationError:
                raise CommandError(f"“{email}” is not an email address.") from None
        password = None
        if password_stdin:
            password = sys.stdin.readline().rstrip("\n")
            if not password:
                raise CommandError("No password on standard input.")
        role = Membership.Role.MANAGER if manager else Membership.Role.CLERK
        try:
            user, created, changed = clerk_upsert(
                actor=None,  # the operator running the command
                username=username,
                office=office_obj,
                role=role,
                email=email,
                password=password,
            )
        except ValidationError as error:
            problems = [f"{field}: {message}" for field, messages in error.message_dict.items() for message in messages]
            raise CommandError(f"{username} was not saved. " + " ".join(problems)) from None
        state = "created" if created else "updated" if changed else "unchanged"
        self.stdout.write(self.style.SUCCESS(f"{username}: {state}, {role} at {code}."))
