"""Collection codes as secrets: drawn with ``secrets``, kept only as a salted,
peppered scrypt hash, compared in constant time. The plain code exists only in
the receiver's sealed outbox rows until they are sent (notifications.sealing)."""

import base64
import hashlib
import hmac
import secrets

from django.conf import settings

from .rules import CODE_DIGITS

# scrypt's cost: about 40 ms and 16 MB a hash. The pepper (a key derived from
# DJANGO_SECRET_KEY, never in the database) keeps a stolen table from being
# tried against all million codes.
_N, _R, _P = 2**14, 8, 1


def new_code() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def _stretch(code: str, salt: bytes) -> bytes:
    pepper = hashlib.sha256(f"handover.collection_code:{settings.SECRET_KEY}".encode()).digest()
    peppered = hmac.new(pepper, code.encode(), hashlib.sha256).digest()
    return hashlib.scrypt(peppered, salt=salt, n=_N, r=_R, p=_P, dklen=32)


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def hash_code(code: str) -> str:
    salt = secrets.token_bytes(16)
    return f"scrypt${_N}${_b64(salt)}${_b64(_stretch(code, salt))}"


def code_matches(code: str, stored: str) -> bool:
    try:
        _, _, salt, digest = stored.split("$")
        expected = base64.b64decode(digest)
        salt_bytes = base64.b64decode(salt)
    except ValueError:
        return False
    return hmac.compare_digest(_stretch(code, salt_bytes), expected)
