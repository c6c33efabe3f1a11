"""One bad row never costs its batch: a value longer than its column holds, a
JSONL line without a required key (issue 20, point 8) or a time before the
network started (point 4) is that row's rejection, with its line and reason,
and the batch's other rows are written."""

import csv
import json

import pytest

from imports.models import ImportRun
from offices.models import Office
from shipments.models import Package, TrackingEvent
from tests.helpers import IMPORT_DATA, package_rows, write_package_rows

pytestmark = pytest.mark.django_db


def _errors(path):
    return list(csv.reader(path.open()))[1:]


def test_a_name_longer_than_its_column_rejects_its_row_and_keeps_the_batch(run_command, network, tmp_path):
    rows = package_rows()
    rows[1] = rows[1] | {"sender_name": "N" * 300, "receiver_line1": "L" * 201}
    errors = tmp_path / "errors.csv"
    status, out, _ = run_command(
        "import_packages", str(write_package_rows(tmp_path / "p.csv", rows)), "--errors", str(errors)
    )
    assert status == 1
    assert f"created {len(rows) - 1}, updated 0, unchanged 0, rejected 1" in out
    assert _errors(errors) == [
        ["3", "sender_name", "At most 200 characters (this has 300)."],
        ["3", "receiver_line1", "At most 200 characters (this has 201)."],
    ]
    assert Package.objects.count() == len(rows) - 1
    assert ImportRun.objects.get(kind="import_packages").state == ImportRun.State.DONE


def test_an_external_id_longer_than_its_column_rejects_its_row_and_keeps_the_batch(run_command, network, tmp_path):
    assert run_command("import_packages", str(IMPORT_DATA / "packages.csv"))[0] == 0
    number = package_rows()[0]["tracking_number"]
    source = tmp_path / "events.csv"
    source.write_text(
        "tracking_number,status,office,occurred_at,external_id\n"
        f"{number},accepted,JFK01,2026-03-01T10:00:00Z,{'x' * 150}\n"
        f"{number},accepted,JFK01,2026-03-01T10:00:00Z,carrier-1\n"
    )
    errors = tmp_path / "errors.csv"
    status, out, _ = run_command("import_events", str(source), "--errors", str(errors))
    assert status == 1
    assert "created 1, updated 0, unchanged 0, rejected 1" in out
    assert _errors(errors) == [["2", "external_id", "At most 100 characters (this has 150)."]]
    assert TrackingEvent.objects.filter(external_id="carrier-1").exists()
    assert ImportRun.objects.filter(kind="import_events").get().state == ImportRun.State.DONE


def test_an_office_name_longer_than_its_column_rejects_its_row(run_command, tmp_path):
    source = tmp_path / "offices.csv"
    source.write_text(
        "code,name,line1,city,country,latitude,longitude,timezone\n"
        f"AAA01,{'A' * 300},1 Main St,Springfield,US,40,-73,America/New_York\n"
        "BBB01,Office B,2 Main St,Springfield,US,40,-73,America/New_York\n"
    )
    errors = tmp_path / "errors.csv"
    status, out, _ = run_command("import_offices", str(source), "--errors", str(errors))
    assert status == 1
    assert "created 1, updated 0, unchanged 0, rejected 1" in out
    assert _errors(errors) == [["2", "name", "At most 200 characters (this has 300)."]]
    assert list(Office.objects.values_list("code", flat=True)) == ["BBB01"]


def test_a_jsonl_line_without_a_required_key_is_a_rejected_row(run_command, network, tmp_path):
    rows = package_rows()
    without_name = {key: value for key, value in rows[1].items() if key != "sender_name"}
    source = tmp_path / "packages.jsonl"
    source.write_text("".join(json.dumps(row) + "\n" for row in [rows[0], without_name, *rows[2:]]))
    errors = tmp_path / "errors.csv"
    status, out, _ = run_command("import_packages", str(source), "--errors", str(errors))
    assert status == 1
    assert f"created {len(rows) - 1}, updated 0, unchanged 0, rejected 1" in out
    assert _errors(errors) == [["2", "sender_name", "Required: this line has no such key."]]


@pytest.mark.parametrize("created_at", ["0001-01-01", "0001-01-01T00:00:00+01:00", "1999-12-31T23:59:59Z"])
def test_a_parcel_registered_before_the_network_started_is_a_rejected_row(run_command, network, tmp_path, created_at):
    rows = package_rows()
    rows[0] = rows[0] | {"created_at": created_at}
    errors = tmp_path / "errors.csv"
    status, out, _ = run_command(
        "import_packages", str(write_package_rows(tmp_path / "p.csv", rows)), "--errors", str(errors)
    )
    assert status == 1
    assert f"created {len(rows) - 1}, updated 0, unchanged 0, rejected 1" in out
    assert _errors(errors) == [["2", "created_at", "Before 2000-01-01, when the network started."]]
    assert not Package.objects.filter(created_at__year__lt=2000).exists()


def test_an_event_before_the_network_started_is_a_rejected_row(run_command, network, tmp_path, settings):
    assert run_command("import_packages", str(IMPORT_DATA / "packages.csv"))[0] == 0
    number = package_rows()[0]["tracking_number"]
    settings.NETWORK_START_DATE = settings.NETWORK_START_DATE.replace(year=2026)
    source = tmp_path / "events.csv"
    source.write_text(
        "tracking_number,status,office,occurred_at\n"
        f"{number},accepted,JFK01,0001-01-01T00:00:00Z\n"
        f"{number},accepted,JFK01,2025-12-31T23:59:59Z\n"
    )
    errors = tmp_path / "errors.csv"
    status, out, _ = run_command("import_events", str(source), "--errors", str(errors))
    assert status == 1
    assert "created 0, updated 0, unchanged 0, rejected 2" in out
    reason = "An event cannot happen before 2026-01-01, when the network started."
    assert _errors(errors) == [["2", "occurred_at", reason], ["3", "occurred_at", reason]]
