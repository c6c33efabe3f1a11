"""Enrol someone in two-factor sign-in: a TOTP device (an authenticator app)
whose key is printed once, as an otpauth:// URL, a QR code and the bare key."""

import io
from base64 import b32encode

import segno
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from offices.services import totp_device_add


class Command(BaseCommand):
    help = (
        "Give USERNAME an authenticator app for two-factor sign-in and print its key (otpauth:// URL, QR code) "
        "for them to add to the app; from then on the admin asks them for its code. Someone who has one keeps "
        "it: --replace makes a new key (a lost phone) and the old one stops working."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--replace", action="store_true", help="Replace the device they have.")
        parser.add_argument("--no-qr", action="store_true", help="Print the URL and key without the QR code.")

    def handle(self, *args, username, replace, no_qr, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"There is no user {username}.")
        try:
            device = totp_device_add(actor=None, user=user, replace=replace)
        except PermissionDenied as refusal:
            raise CommandError(str(refusal)) from None
        url = device.config_url
        self.stdout.write(f"{username} now signs in with a two-factor code. Add this to their authenticator app:")
        self.stdout.write(url)
        if not no_qr:
            qr_code = io.StringIO()
            segno.make(url, error="m").terminal(out=qr_code, compact=True)
            self.stdout.write(qr_code.getvalue(), ending="")
        key = b32encode(device.bin_key).decode()
        self.stdout.write(f"Or type the key by hand: {key} (time-based, 6 digits, every 30 s).")
        self.stdout.write("Show it to them only: anyone with this key can make their codes.")
