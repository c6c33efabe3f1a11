"""The dispatch list (after the UPU CN 38 delivery bill and CN 33 item list):
one line per bag with totals, then each bag's parcels; as rows for the A4 page
and as CSV. Times in the origin office's zone."""

from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

from imports import csv_cells
from shipments.times import local_text, office_zone

from .models import Dispatch


@dataclass
class DispatchList:
    dispatch: Dispatch
    when: str  # dispatched (or formed) at, in the origin's zone, zone named
    bags: list[dict[str, Any]]
    parcel_count: int
    weight_kg: Decimal


def dispatch_list(dispatch: Dispatch) -> DispatchList:
    """The list's content from a dispatch whose bags are prefetched with their ``listed`` items."""
    zone = office_zone(dispatch.origin_office)
    bags: list[dict[str, Any]] = []
    for bag in dispatch.bags.all():
        parcels = [item.package for item in bag.listed]  # type: ignore[attr-defined]
        bags.append(
            {
                "identifier": bag.identifier,
                "seal": bag.seal,
                "parcel_count": len(parcels),
                "weight_kg": bag.weight_kg,
                "registered": bag.registered,
                "state": bag.get_state_display(),
                "parcels": [
                    {
                        "tracking_number": package.tracking_number,
                        "service": package.get_service_display(),
                        "weight_kg": Decimal(package.weight_grams) / 1000,
                        "declared_value": package.declared_value,
                        "currency": package.currency,
                    }
                    for package in parcels
                ],
            }
        )
    return DispatchList(
        dispatch=dispatch,
        when=local_text(dispatch.dispatched_at or dispatch.created_at, zone),
        bags=bags,
        parcel_count=sum(bag["parcel_count"] for bag in bags),
        weight_kg=sum((bag["weight_kg"] or Decimal(0) for bag in bags), Decimal(0)),
    )


def write_csv(content: DispatchList, out: IO[str]) -> None:
    """The list as CSV: a header block, the bags and their totals, then one row per parcel."""
    dispatch = content.dispatch
    writer = csv_cells.writer(out)  # a cell starting with = + - @ is not run as a formula
    writer.writerow(["dispatch", dispatch.identifier])
    writer.writerow(["date", content.when])
    writer.writerow(["origin", dispatch.origin_office.code, dispatch.origin_office.name])
    writer.writerow(["destination", dispatch.destination_office.code, dispatch.destination_office.name])
    writer.writerow([])
    writer.writerow(["bag", "seal", "parcels", "weight_kg", "registered"])
    for bag in content.bags:
        writer.writerow(
            [bag["identifier"], bag["seal"], bag["parcel_count"], bag["weight_kg"], "R" if bag["registered"] else ""]
        )
    writer.writerow(["total", "", content.parcel_count, content.weight_kg, ""])
    writer.writerow([])
    writer.writerow(["bag", "tracking_number", "service", "weight_kg", "declared_value", "currency"])
    for bag in content.bags:
        for parcel in bag["parcels"]:
            writer.writerow(
                [
                    bag["identifier"],
                    parcel["tracking_number"],
                    parcel["service"],
                    parcel["weight_kg"],
                    parcel["declared_value"],
                    parcel["currency"],
                ]
            )
