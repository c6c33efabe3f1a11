"""An import never rewrites a parcel's parties silently (issue 20, point 7): by
default a row that would change a registered parcel's sender or receiver is
refused, per row; with --update-parties the change is made and recorded (who,
when, what), and the package page shows it; a column the file leaves out keeps
the registered value, never blanks it."""

import csv
import json

import pytest
from django.urls import reverse

from shipments.imports.packages import PackageImporter
from shipments.models import Package, PackageChange
from tests.helpers import login, package_rows, write_package_rows

pytestmark = pytest.mark.django_db
LEFT_OUT = ("receiver_phone",)


def _reproduction(tmp_path, fmt="csv"):
    """The probe's row: a registered parcel's number, its facts unchanged, the
    receiver's address and email changed and the phone column left out."""
    row = package_rows()[0] | {"receiver_line1": "13 Mockingbird Lane", "receiver_email": "attacker@example.com"}
    row = {name: value for name, value in row.items() if name not in LEFT_OUT}
    if fmt == "jsonl":
        source = tmp_path / "changed.jsonl"
        source.write_text(json.dumps(row) + "\n")
        return source
    source = tmp_path / "changed.csv"
    with source.open("w", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=list(row))
        writer.writeheader()
        writer.writerow(row)
    return source


@pytest.fixture
def registered(run_command, network, tmp_path):
    rows = package_rows()[:1]
    assert run_command("import_packages", str(write_package_rows(tmp_path / "first.csv", rows)))[0] == 0
    return Package.objects.select_related("receiver_address").get(tracking_number=rows[0]["tracking_number"])


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_an_import_does_not_change_a_registered_parcels_parties_unless_told_to(run_command, registered, tmp_path, fmt):
    errors = tmp_path / "errors.csv"
    status, out, _ = run_command("import_packages", str(_reproduction(tmp_path, fmt)), "--errors", str(errors))
    assert status == 1
    assert "created 0, updated 0, unchanged 0, rejected 1" in out
    reason = (
        f"{registered.tracking_number} is registered with another value: an import changes the sender and "
        "receiver of a registered parcel only when told to (--update-parties)."
    )
    line = "2" if fmt == "csv" else "1"
    assert list(csv.reader(errors.open()))[1:] == [[line, "receiver_email", reason], [line, "receiver_line1", reason]]
    package = Package.objects.select_related("receiver_address").get(pk=registered.pk)
    assert (package.receiver_email, package.receiver_address.line1) == ("grace@example.com", "1 Ocean Way")
    assert package.receiver_phone == "+13105550199"
    assert not PackageChange.objects.exists()


def test_a_change_by_import_is_recorded_and_shown_and_a_left_out_column_is_kept(run_command, registered, tmp_path, hq):
    source = _reproduction(tmp_path)
    status, out, _ = run_command("import_packages", str(source), "--update-parties")
    assert status == 0
    assert "created 0, updated 1, unchanged 0, rejected 0" in out
    package = Package.objects.select_related("receiver_address").get(pk=registered.pk)
    assert (package.receiver_email, package.receiver_address.line1) == ("attacker@example.com", "13 Mockingbird Lane")
    assert package.receiver_phone == "+13105550199"  # the column was left out: kept, not blanked

    change = PackageChange.objects.get(package=package)
    assert (change.source, change.changed_by, change.via) == ("import", None, f"{source}, line 2")
    assert change.changes == {
        "receiver_email": ["grace@example.com", "attacker@example.com"],
        "receiver_line1": ["1 Ocean Way", "13 Mockingbird Lane"],
    }
    page = login(hq).get(reverse("admin:shipments_package_change", args=[package.pk])).content.decode()
    assert "Details changed by import" in page
    assert "receiver email: “grace@example.com” → “attacker@example.com”" in page

    # The same file again changes nothing, and records nothing more.
    status, out, _ = run_command("import_packages", str(source), "--update-parties")
    assert "created 0, updated 0, unchanged 1, rejected 0" in out
    assert PackageChange.objects.count() == 1


def test_a_file_without_the_optional_columns_leaves_a_registered_parcel_as_it_is(run_command, registered, tmp_path):
    row = package_rows()[0]
    columns = ["tracking_number", *PackageImporter.required_columns, "declared_value"]
    source = tmp_path / "minimal.csv"
    with source.open("w", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=columns)
        writer.writeheader()
        writer.writerow({name: row[name] for name in writer.fieldnames})
    status, out, _ = run_command("import_packages", str(source))
    assert status == 0, out
    assert "created 0, updated 0, unchanged 1, rejected 0" in out
    package = Package.objects.select_related("receiver_address").get(pk=registered.pk)
    assert (package.sender_phone, package.receiver_address.line2) == ("+12125550142", "Apt 4")
    assert (package.sender_notify_sms, package.receiver_notify_email) == (True, True)
