"""Our own serial space is ours (issue 20, point 6): an import may not bring a
new parcel with a number of our country code, which only our sequence issues;
a partner's number, or the number of a parcel we registered, is taken."""

import csv

import pytest

from shipments.models import Package
from tests.helpers import package_rows, write_package_rows

pytestmark = pytest.mark.django_db


def test_a_new_parcel_with_a_number_of_our_country_code_is_a_rejected_row(run_command, network, tmp_path):
    rows = package_rows()
    rows[0] = rows[0] | {"tracking_number": "EE473124829US"}  # valid S10, our country, never issued
    errors = tmp_path / "errors.csv"
    status, out, _ = run_command(
        "import_packages", str(write_package_rows(tmp_path / "p.csv", rows)), "--errors", str(errors)
    )
    assert status == 1
    assert f"created {len(rows) - 1}, updated 0, unchanged 0, rejected 1" in out
    assert list(csv.reader(errors.open()))[1:] == [
        [
            "2",
            "tracking_number",
            "EE473124829US has our own country code US: we issue those numbers ourselves and did not issue "
            "this one. Leave tracking_number empty to have one drawn.",
        ]
    ]
    assert not Package.objects.filter(tracking_number="EE473124829US").exists()
    assert Package.objects.filter(tracking_number=rows[1]["tracking_number"]).exists()  # a partner's: DE


def test_a_row_for_a_parcel_we_registered_is_still_taken(run_command, network, tmp_path):
    """The rows without a number got one of ours; the same rows with those numbers are our parcels, unchanged."""
    rows = package_rows()
    assert run_command("import_packages", str(write_package_rows(tmp_path / "first.csv", rows)))[0] == 0
    ours = Package.objects.filter(tracking_number__endswith="US").order_by("origin_office__code")
    assert ours.count() == 2
    numbered = [row for row in rows if not row["tracking_number"]]
    numbered.sort(key=lambda row: row["origin_office"])
    for row, package in zip(numbered, ours, strict=True):
        row["tracking_number"] = package.tracking_number
    status, out, _ = run_command("import_packages", str(write_package_rows(tmp_path / "second.csv", numbered)))
    assert status == 0
    assert "created 0, updated 0, unchanged 2, rejected 0" in out
