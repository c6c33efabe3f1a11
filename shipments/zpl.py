"""Shipping labels in ZPL, the language of the counters' thermal (Zebra-type) printers.

A label is 100 × 150 mm, at 203 dpi (8 dots/mm) or 300 dpi, with the content of the
HTML label (templates/shipments/label.html): service and route, the tracking number as
Code 128 and in groups, sender and receiver, weight and size, and a QR code of the
public tracking link. Text is UTF-8 (``^CI28``) so "Zoë Müller" prints, and every
field goes through ``^FH``: the characters ZPL reads as commands (``^``, ``~``) and
the escape character itself (``_``), as well as control characters, are written as
``_XX`` hex bytes, so a name holding ``^XZ`` stays text on the label.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.http import HttpResponse

from shipments.models import Package
from shipments.times import local_text, office_zone

DPI_CHOICES = (203, 300)
# Printers are built in dots per millimetre: "203 dpi" is 8 dots/mm, "300 dpi" 12.
DOTS_PER_MM = {203: 8, 300: 12}
LABEL_WIDTH_MM, LABEL_HEIGHT_MM = 100, 150
# What one request may print at once (the admin's bulk action, a stream of labels).
MAX_LABELS_PER_STREAM = 500
MEDIA_TYPE = "application/zpl"


def zpl_field_text(value: str, *, block: bool = False) -> str:
    """``value`` as ``^FH`` field data: ``^``, ``~``, ``_``, ``\\`` and control characters as
    ``_XX`` (their UTF-8 bytes in hex); everything else as it is (UTF-8 with ``^CI28``).

    In a ``^FB`` block the printer reads ``\\&`` as a line break and ``\\\\`` as one
    backslash, so there a backslash is written as two: a name holding ``\\&`` prints as typed.
    """
    out = []
    for character in value:
        if character == "\\" and block:
            out.append("_5C_5C")
        elif character in "^~_\\" or ord(character) < 32 or ord(character) == 127:
            out.append("".join(f"_{byte:02X}" for byte in character.encode("utf-8")))
        else:
            out.append(character)
    return "".join(out)


def grouped_tracking_number(tracking_number: str) -> str:
    """EE473124829US as "EE 473 124 829 US": the groups a clerk reads aloud."""
    if len(tracking_number) != 13:
        return tracking_number
    number = tracking_number
    return f"{number[:2]} {number[2:5]} {number[5:8]} {number[8:11]} {number[11:]}"


@dataclass(frozen=True)
class Canvas:
    """Millimetres to the printer's dots, and the label's building blocks (the bag
    labels of dispatches.zpl are drawn with them too)."""

    dpi: int

    def dots(self, millimetres: float) -> int:
        return round(millimetres * DOTS_PER_MM[self.dpi])

    def text(self, x: float, y: float, size: float, value: str, *, width: float = 0, lines: int = 1) -> str:
        """A line (or a block of ``lines`` lines, wrapped within ``width`` mm) of font 0."""
        height = self.dots(size)
        block = f"^FB{self.dots(width)},{lines},0,L,0" if width else ""
        data = zpl_field_text(value, block=bool(width))
        return f"^FO{self.dots(x)},{self.dots(y)}^A0N,{height},{height}{block}^FH^FD{data}^FS"

    def line(self, y: float) -> str:
        thickness = max(2, self.dots(0.4))
        return f"^FO{self.dots(3)},{self.dots(y)}^GB{self.dots(LABEL_WIDTH_MM - 6)},{thickness},{thickness}^FS"

    def start(self) -> list[str]:
        """A label's opening: ``^XA``, UTF-8, 100 × 150 mm, origin at the corner."""
        return ["^XA", "^CI28", f"^PW{self.dots(LABEL_WIDTH_MM)}", f"^LL{self.dots(LABEL_HEIGHT_MM)}", "^LH0,0"]

    def code128(self, x: float, y: float, height: float, value: str, *, module: int) -> str:
        """``value`` as Code 128, bars ``module`` dots wide at the narrowest, no text under it."""
        return (
            f"^FO{self.dots(x)},{self.dots(y)}^BY{module},3,{self.dots(height)}^BCN,{self.dots(height)},N,N,N"
            f"^FH^FD{zpl_field_text(value)}^FS"
        )


def _address_lines(location) -> list[str]:
    first = ", ".join(part for part in (location.line1, location.line2) if part)
    second = " ".join(part for part in (location.postal_code, location.city) if part)
    third = ", ".join(part for part in (location.region, location.country) if part)
    return [part for part in (first, second, third) if part]


def package_label(package: Package, *, tracking_url: str, dpi: int = 203) -> str:
    """One label: ``^XA`` … ``^XZ``. ``package`` with its offices and addresses loaded."""
    canvas = Canvas(dpi)
    module = 3 if dpi == 203 else 4  # the narrowest bar: 0.375 mm at 203 dpi, 0.34 mm at 300
    route = f"{package.origin_office.code} > {package.destination_office.code}"
    zone = office_zone(package.origin_office)
    sender, receiver = package.sender_address, package.receiver_address
    parts = [
        *canvas.start(),
        canvas.text(4, 4, 6, package.get_service_display().upper()),
        canvas.text(58, 4, 6, route),
        canvas.line(12),
        canvas.code128(8, 15, 22, package.tracking_number, module=module),
        canvas.text(12, 39, 6, grouped_tracking_number(package.tracking_number)),
        canvas.line(47),
        canvas.text(4, 49, 2.5, "FROM"),
        canvas.text(4, 53, 3.5, package.sender_name, width=92),
        # ^FB's "\&" is a line break inside a block; the address text is escaped first.
        _block(canvas, 4, 57.5, 3, _address_lines(sender), lines=2),
        canvas.line(66),
        canvas.text(4, 68, 2.5, "TO"),
        canvas.text(4, 72, 5.5, package.receiver_name, width=92),
        _block(canvas, 4, 79, 4.5, _address_lines(receiver), lines=3),
        canvas.text(4, 95, 3, f"via {package.destination_office.code} {package.destination_office.name}", width=92),
        canvas.line(101),
        canvas.text(4, 104, 4, f"Weight {package.weight_grams} g"),
        canvas.text(4, 110, 4, f"{package.length_cm} x {package.width_cm} x {package.height_cm} cm"),
        canvas.text(4, 116, 3.5, local_text(package.created_at, zone, "SHORT_DATETIME_FORMAT")),
        # QR: model 2, magnification in dots per module; "MA," = error correction M, automatic input.
        f"^FO{canvas.dots(58)},{canvas.dots(102)}^BQN,2,{4 if dpi == 203 else 6}"
        f"^FH^FDMA,{zpl_field_text(tracking_url)}^FS",
        canvas.text(4, 140, 3, "Track: " + tracking_url, width=92),
        "^XZ",
    ]
    return "\n".join(parts) + "\n"


def _block(canvas: Canvas, x: float, y: float, size: float, text_lines: list[str], *, lines: int) -> str:
    """Lines of text in a ``^FB`` block (``\\&`` breaks a line; each line escaped first)."""
    escaped = "\\&".join(zpl_field_text(line, block=True) for line in text_lines)
    height = canvas.dots(size)
    return (
        f"^FO{canvas.dots(x)},{canvas.dots(y)}^A0N,{height},{height}"
        f"^FB{canvas.dots(92)},{lines},0,L,0^FH^FD{escaped}^FS"
    )


def package_labels(packages: Iterable[Package], *, tracking_url_for: Callable[[Package], str], dpi: int = 203) -> str:
    """Several labels in one stream, in the order given (one ``^XA`` … ``^XZ`` each)."""
    return "".join(package_label(package, tracking_url=tracking_url_for(package), dpi=dpi) for package in packages)


def dpi_from(value: str | None) -> int | None:
    """The ``dpi`` query parameter: 203 (the default) or 300; None for anything else."""
    if value in (None, ""):
        return DPI_CHOICES[0]
    return int(value) if value in {str(dpi) for dpi in DPI_CHOICES} else None


def zpl_response(body: str, filename: str) -> HttpResponse:
    """A ZPL stream as a download (a printer driver or ``lp -o raw`` sends it on)."""
    response = HttpResponse(body.encode("utf-8"), content_type=f"{MEDIA_TYPE}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
