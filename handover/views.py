"""A proof's file on the filesystem storage, behind a link signed for five
minutes (``files.signed_url``, issued only after the access check). With the
media bucket, links are S3's own presigned GETs and this view is not used."""

from django.http import FileResponse, Http404
from django.views.decorators.http import require_GET

from . import files
from .rules import image_type


@require_GET
def file_view(request, token: str):
    key = files.key_from_link(token)
    store = files.proof_storage()
    if key is None or not store.exists(key):
        raise Http404("This link has expired: open the package page again.")
    opened = store.open(key)
    kind = image_type(opened.read(16)) or "application/octet-stream"
    opened.seek(0)
    response = FileResponse(opened, content_type=kind)
    response["Cache-Control"] = "private, no-store"
    return response
