"""Shipping labels and receipts: the tracking number as a Code 128 barcode and
the public tracking link as a QR code, drawn as inline SVG so the pages print
from the browser with no image files or fonts."""

import logging
import re

from django.http import HttpRequest, QueryDict
from django.urls import reverse

_PROLOGUE = re.compile(r"^.*?(?=<svg)", re.DOTALL)
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
# The writer colours bars with style="fill:black;" attributes, which a Content
# Security Policy without 'unsafe-inline' styles refuses; a fill attribute is
# SVG's own presentation attribute, not a style.
_FILL_STYLE = re.compile(r'style="fill:\s*([#\w]+);?"')


def barcode_svg(tracking_number: str) -> str:
    """An ``<svg>`` element (no XML prologue) encoding ``tracking_number`` in Code 128.

    Scanners at the counter read it back as the plain number; the human-readable
    text is printed by the label template in a larger font than the writer's.
    """
    # Imported on first use: most requests (and Lambda cold starts) need no
    # label. SVG output needs no Pillow; silence the library's notice about it.
    logging.getLogger("pyBarcode").setLevel(logging.WARNING)
    from barcode import Code128
    from barcode.writer import SVGWriter

    svg = Code128(tracking_number, writer=SVGWriter()).render(
        writer_options={"module_width": 0.33, "module_height": 18.0, "quiet_zone": 4.0, "write_text": False}
    )
    svg_text = _COMMENT.sub("", _PROLOGUE.sub("", svg.decode("utf-8"), count=1))
    return _FILL_STYLE.sub(r'fill="\1"', svg_text)


def qr_svg(text: str, *, module_mm: float = 0.7) -> str:
    """An ``<svg>`` QR code of ``text`` (a link a phone's camera opens), sized in
    millimetres so it prints the same on A4 and on an 80 mm receipt printer."""
    import segno  # on first use, as the barcode: only receipts need it

    return segno.make(text, error="m", micro=False).svg_inline(scale=module_mm, unit="mm", border=4)


def public_tracking_url(request: HttpRequest, tracking_number: str) -> str:
    """The absolute link of the public tracking page for ``tracking_number`` (QR codes)."""
    query = QueryDict.fromkeys(["number"], tracking_number).urlencode()
    return request.build_absolute_uri(f"{reverse('track')}?{query}")
