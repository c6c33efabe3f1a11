"""The sealed part of an outbox row: template context only its recipient may
read (a collection code), encrypted with a key derived from DJANGO_SECRET_KEY
(never stored in the database), opened only by ``services.send`` while it
renders the message, and emptied once the row is sent, skipped or given up."""

import base64
import functools
import hashlib
import json

from django.conf import settings


@functools.cache
def _fernet(secret_key: str):
    # Imported on first use: a Lambda cold start (a health check) never pays for it.
    from cryptography.fernet import Fernet

    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(f"notifications.sealed:{secret_key}".encode()).digest()))


def seal(context: dict[str, str]) -> str:
    return _fernet(settings.SECRET_KEY).encrypt(json.dumps(context).encode()).decode()


def unseal(token: str) -> dict[str, str]:
    """The sealed context, or nothing (empty, or sealed under another key)."""
    if not token:
        return {}
    from cryptography.fernet import InvalidToken

    try:
        opened: dict[str, str] = json.loads(_fernet(settings.SECRET_KEY).decrypt(token.encode()))
    except (InvalidToken, ValueError):
        return {}
    return opened
