"""Bag labels in ZPL for the thermal printers, drawn with the package labels'
building blocks (shipments.zpl): the same 100 × 150 mm, UTF-8, escaped fields.
The content of the HTML bag label: from and to offices, the S9 as Code 128 and
in its groups, category, parcels, weight and the registered mark."""

from shipments.zpl import Canvas

from .identifiers import groups
from .models import Bag


def bag_label(bag: Bag, *, parcel_count: int, dpi: int = 203) -> str:
    """One closed bag's label: ``^XA`` … ``^XZ``. ``bag`` with its offices loaded."""
    canvas = Canvas(dpi)
    # 29 characters of S9: narrower bars than a parcel's (0.25 mm) keep it within the label.
    module = 2 if dpi == 203 else 3
    parts = [
        *canvas.start(),
        canvas.text(4, 4, 2.5, "FROM"),
        canvas.text(4, 8, 9, bag.origin_office.code),
        canvas.text(4, 18, 3.5, bag.origin_office.name, width=44),
        canvas.text(52, 4, 2.5, "TO"),
        canvas.text(52, 8, 9, bag.destination_office.code),
        canvas.text(52, 18, 3.5, bag.destination_office.name, width=44),
        canvas.line(26),
        canvas.code128(6, 30, 24, bag.identifier or "", module=module),
        canvas.text(4, 57, 4, " ".join(groups(bag.identifier or ""))),
        canvas.line(64),
        canvas.text(4, 68, 5, f"Category {bag.category}"),
        canvas.text(4, 76, 5, f"{parcel_count} parcel{'' if parcel_count == 1 else 's'}"),
        canvas.text(4, 84, 5, f"{bag.weight_kg} kg"),
    ]
    if bag.registered:
        parts.append(canvas.text(70, 70, 20, "R"))
    parts.append("^XZ")
    return "\n".join(parts) + "\n"
