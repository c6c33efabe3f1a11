"""import_offices on a real office list (tests/data/offices.csv: 18 airports of
the airportsdata package, release 20260905, MIT licence) and on broken ones,
which also exercise the shared import machinery."""

import csv
import gzip
import io
import sys

import pytest

from imports.models import ImportRun
from offices.models import Office
from tests.helpers import IMPORT_DATA as DATA

pytestmark = pytest.mark.django_db
OFFICES = DATA / "offices.csv"
HEADER = "code,name,line1,line2,city,region,postal_code,country,latitude,longitude,phone,email,timezone\n"


def test_a_real_office_list_is_created_then_a_rerun_changes_nothing(run_command):
    status, out, _ = run_command("import_offices", str(OFFICES))
    assert status == 0
    assert "created 18, updated 0, unchanged 0, rejected 0" in out
    jfk = Office.objects.select_related("location").get(code="JFK01")
    assert jfk.time_zone == "America/New_York"
    assert str(jfk.location.latitude) == "40.639928"
    assert ImportRun.objects.get().state == ImportRun.State.DONE

    status, out, _ = run_command("import_offices", str(OFFICES))
    assert status == 0
    assert "created 0, updated 0, unchanged 18, rejected 0" in out


def test_a_changed_row_updates_the_office(run_command, tmp_path):
    run_command("import_offices", str(OFFICES))
    changed = tmp_path / "offices.csv"
    changed.write_text(
        HEADER + "JFK01,New York JFK,Building 77,,New York,,,US,40.64,-73.78,+1 718 244 4444,,America/New_York\n"
    )
    status, out, _ = run_command("import_offices", str(changed))
    assert status == 0
    assert "updated 1" in out
    jfk = Office.objects.select_related("location").get(code="JFK01")
    assert (jfk.location.line1, jfk.phone) == ("Building 77", "+17182444444")


def test_dry_run_writes_nothing_and_prints_the_same_summary(run_command):
    status, out, _ = run_command("import_offices", str(OFFICES), "--dry-run")
    assert status == 0
    assert "created 18" in out
    assert "dry run" in out
    assert Office.objects.count() == 0
    assert ImportRun.objects.count() == 0


def test_every_rejection_is_written_with_its_line_and_reason_and_the_run_goes_on(run_command, tmp_path):
    source = tmp_path / "offices.csv"
    source.write_text(
        HEADER
        + "OK001,Fine,1 Main St,,Springfield,,,US,40,-75,,,UTC\n"
        + "bad code,,,,,,,USA,91,abc,not a phone,not-an-email,Mars/Olympus\n"
        + "NOLOC,No coordinates,1 Main St,,Springfield,,,US,,,,,UTC\n"
        + "SHORT,only,three\n"
    )
    errors = tmp_path / "errors.csv"
    status, out, err = run_command("import_offices", str(source), "--errors", str(errors))
    assert status == 1
    assert "created 1, updated 0, unchanged 0, rejected 3" in out
    assert "3 row(s) rejected" in err
    problems = {(line, field): reason for line, field, reason in list(csv.reader(errors.open()))[1:]}
    assert problems[("3", "code")].startswith("Use 3–10 upper-case")
    assert {field for line, field in problems if line == "3"} == {
        "code",
        "name",
        "line1",
        "city",
        "country",
        "latitude",
        "longitude",
        "phone",
        "email",
        "timezone",
    }
    assert problems[("4", "latitude")] == "Required: quotes need the office's coordinates."
    assert problems[("5", "line")] == "has 3 fields, the header 13"
    assert Office.objects.get().code == "OK001"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"code,name\nX,Y\n", "missing column(s) line1"),
        (HEADER.replace("email", "e_mail").encode(), "unknown column(s) e_mail"),
        (HEADER.encode() + "OK001,Caf\xe9,1 Main St,,Springfield,,,US,40,-75,,,UTC\n".encode("latin-1"), "not UTF-8"),
        (b"", "is empty"),
    ],
)
def test_a_broken_file_stops_at_once_with_exit_status_2(run_command, tmp_path, content, message):
    source = tmp_path / "offices.csv"
    source.write_bytes(content)
    status, _, err = run_command("import_offices", str(source))
    assert status == 2
    assert message in err
    assert Office.objects.count() == 0


def test_a_missing_file_is_exit_status_2(run_command, tmp_path):
    status, _, err = run_command("import_offices", str(tmp_path / "nowhere.csv"))
    assert status == 2
    assert "Cannot read" in err


def test_gzip_jsonl_and_stdin(run_command, tmp_path, monkeypatch):
    rows = list(csv.DictReader(OFFICES.open()))
    jsonl = tmp_path / "offices.jsonl.gz"
    with gzip.open(jsonl, "wt") as file:
        for row in rows[:5]:
            file.write(__import__("json").dumps(row) + "\n")
    status, out, _ = run_command("import_offices", str(jsonl))
    assert (status, "created 5" in out) == (0, True)

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(OFFICES.read_bytes())))
    status, out, _ = run_command("import_offices", "-")
    assert status == 0
    assert "created 13, updated 0, unchanged 5" in out


def test_from_s3_with_errors_to_s3(run_command, s3):
    s3.put_object(
        Bucket=s3.bucket,
        Key="imports/offices/list.csv.gz",
        Body=gzip.compress(OFFICES.read_bytes() + b"BAD,,,,,,,,,,,,\n"),
    )
    status, out, _ = run_command(
        "import_offices", f"s3://{s3.bucket}/imports/offices/list.csv.gz", "--errors", f"s3://{s3.bucket}/errors.csv"
    )
    assert status == 1
    assert "created 18" in out
    assert "rejected 1" in out
    errors = s3.get_object(Bucket=s3.bucket, Key="errors.csv")["Body"].read().decode()
    assert "20,name,Required." in errors


def test_an_unreadable_s3_object_is_exit_status_2(run_command, s3):
    status, _, err = run_command("import_offices", f"s3://{s3.bucket}/imports/none.csv")
    assert status == 2
    assert "Cannot read" in err


def test_opening_hours_are_an_optional_column_a_file_without_it_keeps(run_command, tmp_path):
    run_command("import_offices", str(OFFICES))
    with_hours = tmp_path / "hours.csv"
    with_hours.write_text(
        HEADER.strip() + ",opening_hours\n"
        "JFK01,New York JFK,John F Kennedy International Airport,Cargo terminal,New York,New York,,US,40.639928,"
        "-73.778692,,jfk01@example.com,America/New_York,Mon–Sun 0:00–24:00\n"
    )
    status, out, _ = run_command("import_offices", str(with_hours))
    assert status == 0
    assert "updated 1" in out
    assert Office.objects.get(code="JFK01").opening_hours == "Mon–Sun 0:00–24:00"
    status, out, _ = run_command("import_offices", str(OFFICES))  # no such column: the hours stay
    assert "created 0, updated 0, unchanged 18, rejected 0" in out
    assert Office.objects.get(code="JFK01").opening_hours == "Mon–Sun 0:00–24:00"
