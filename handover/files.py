"""The proofs' files in the private media storage (``STORAGES["proofs"]``: the
media bucket through django-storages, or ``.data/media`` on a laptop): keys the
server chooses, presigned POSTs for a courier's app, what a stored object is,
and links that work for five minutes."""

import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.urls import reverse

from shipments.exceptions import ShipmentError

from .rules import MAX_PHOTO_BYTES, upload_prefix

LINK_SALT = "handover.file"


class UploadsUnavailable(ShipmentError):
    code = "uploads_unavailable"
    http_status = 409


def proof_storage():
    return storages["proofs"]


def _s3_client(store):
    """The boto3 client of an S3 storage (created lazily by django-storages), else None."""
    return store.connection.meta.client if hasattr(store, "bucket_name") else None


def new_key(tracking_number: str, kind: str) -> str:
    """A fresh key under the package: ``proofs/<number>/<kind>-<32 hex>``."""
    return f"{upload_prefix(tracking_number)}{kind}-{secrets.token_hex(16)}"


def presigned_post(tracking_number: str, content_type: str) -> dict:
    """An S3 presigned POST (5 minutes) for one photo of this package: a key the
    server chose, ``content_type`` exactly (image/jpeg or image/png) and at most 10 MB."""
    store = proof_storage()
    client = _s3_client(store)
    if client is None:
        raise UploadsUnavailable(
            "Photos are uploaded straight to the media bucket, and this installation has none "
            "(AWS_MEDIA_BUCKET_NAME): attach the photo on the delivery page instead."
        )
    key = new_key(tracking_number, "upload")
    post = client.generate_presigned_post(
        Bucket=store.bucket_name,
        Key=key,
        Fields={"Content-Type": content_type},
        Conditions=[{"Content-Type": content_type}, ["content-length-range", 1, MAX_PHOTO_BYTES]],
        ExpiresIn=settings.PROOF_LINK_SECONDS,
    )
    return {"url": post["url"], "fields": post["fields"], "key": key, "max_bytes": MAX_PHOTO_BYTES}


@dataclass(frozen=True)
class StoredObject:
    size: int | None  # None: there is no such object
    content_type: str = ""
    head: bytes = b""


def stored_object(key: str) -> StoredObject:
    """What is stored at ``key``: its size, its type as stored, its first 16
    bytes (read only when it is not too large to be a photo)."""
    store = proof_storage()
    client = _s3_client(store)
    if client is not None:
        from botocore.exceptions import ClientError

        try:
            head = client.head_object(Bucket=store.bucket_name, Key=key)
        except ClientError:
            return StoredObject(size=None)
        size, content_type = head["ContentLength"], head.get("ContentType", "")
        if size > MAX_PHOTO_BYTES:
            return StoredObject(size=size, content_type=content_type)
        body = client.get_object(Bucket=store.bucket_name, Key=key, Range="bytes=0-15")["Body"].read()
        return StoredObject(size=size, content_type=content_type, head=body[:16])
    if not store.exists(key):
        return StoredObject(size=None)
    with store.open(key) as opened:
        return StoredObject(size=store.size(key), head=opened.read(16))


def save(key: str, data: bytes, content_type: str) -> str:
    content = ContentFile(data)
    # django-storages' S3 storage stores the object with this type (its _get_write_parameters).
    content.content_type = content_type  # type: ignore[attr-defined]
    return proof_storage().save(key, content)


def signed_url(key: str) -> str:
    """A link to the file that works for PROOF_LINK_SECONDS: S3's own presigned
    GET, or on the filesystem a signed, timed link to ``file_view``. Issue it only
    to someone who may see the package."""
    if not key:
        return ""
    store = proof_storage()
    if _s3_client(store) is not None:
        return str(store.url(key, expire=settings.PROOF_LINK_SECONDS))
    return reverse("handover:file", args=[signing.dumps(key, salt=LINK_SALT)])


def key_from_link(token: str) -> str | None:
    try:
        key: str = signing.loads(token, salt=LINK_SALT, max_age=settings.PROOF_LINK_SECONDS)
    except signing.BadSignature:
        return None
    return key
