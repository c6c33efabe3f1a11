"""export_packages: the API list's filters, CSV through COPY, JSONL, gzip, S3."""

import csv
import gzip
import json

import pytest

from shipments.imports.exports import COLUMNS
from tests.helpers import IMPORT_DATA as DATA

pytestmark = pytest.mark.django_db


@pytest.fixture
def packages(run_command, tariffs):
    assert run_command("import_offices", str(DATA / "offices.csv"))[0] == 0
    assert run_command("import_packages", str(DATA / "packages.csv"))[0] == 0
    assert run_command("import_events", str(DATA / "events.csv"))[0] == 1


def test_csv_with_the_api_filters(run_command, packages, tmp_path):
    target = tmp_path / "out.csv"
    status, _, err = run_command("export_packages", str(target), "--status", "delivered")
    assert status == 0
    assert "1 packages written" in err
    (row,) = list(csv.DictReader(target.open()))
    assert (row["tracking_number"], row["current_office"], row["received_by"]) == (
        "EE473124829DE",
        "LAX01",
        "Grace Hopper",
    )
    assert row["sender_line1"] == "10 Downing Ave"

    status, _, _ = run_command("export_packages", str(target), "--search", "Turing", "--origin-office", "ord01")
    assert [row["tracking_number"] for row in csv.DictReader(target.open())] == ["CP100000017DE"]
    status, _, _ = run_command("export_packages", str(target))
    assert len(list(csv.DictReader(target.open()))) == 4


def test_jsonl_gzip_to_s3(run_command, packages, s3):
    status, _, _ = run_command("export_packages", f"s3://{s3.bucket}/exports/all.jsonl.gz", "--service", "express")
    assert status == 0
    body = gzip.decompress(s3.get_object(Bucket=s3.bucket, Key="exports/all.jsonl.gz")["Body"].read())
    rows = [json.loads(line) for line in body.decode().splitlines()]
    assert sorted(row["origin_office"] for row in rows) == ["JFK01", "LHR01"]
    assert {row["tracking_number"]: row["status"] for row in rows}["EE473124829DE"] == "delivered"


def test_a_bad_filter_is_exit_status_2(run_command, packages, tmp_path):
    status, _, err = run_command("export_packages", str(tmp_path / "x.csv"), "--created-after", "2026-13-01")
    assert status == 2
    assert "created_after" in err


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--origin-office", "NOPE9", "--origin-office: no office has the code NOPE9."),
        ("--current-office", "nope9", "--current-office: no office has the code NOPE9."),
        ("--search", "EE473124828US", "--search: EE473124828US has a wrong check digit"),
    ],
)
def test_an_unknown_office_or_a_mistyped_tracking_number_is_exit_status_2_with_its_option_named(
    run_command, packages, tmp_path, option, value, message
):
    target = tmp_path / "out.csv"
    status, _, err = run_command("export_packages", str(target), option, value)
    assert status == 2
    assert message in err
    assert "Traceback" not in err
    assert not target.exists()


def test_a_search_nobody_matches_writes_the_header_only(run_command, packages, tmp_path):
    target = tmp_path / "out.csv"
    status, _, err = run_command("export_packages", str(target), "--search", "Nobody By This Name")
    assert status == 0
    assert "0 packages written" in err
    assert target.read_text().splitlines() == [",".join(COLUMNS)]


@pytest.mark.parametrize("name", ["x.xlsx", "x.txt", "packages"])
def test_a_file_name_of_a_format_it_does_not_write_is_refused(run_command, packages, tmp_path, name):
    target = tmp_path / name
    status, _, err = run_command("export_packages", str(target))
    assert status == 2
    assert "writes CSV or JSONL only" in err
    assert not target.exists()
    assert run_command("export_packages", str(target), "--format", "csv")[0] == 0
    assert target.read_text().startswith("tracking_number,")


@pytest.mark.parametrize("name", ["backup.csv", "backup.jsonl.gz"])
def test_an_export_reimports_as_unchanged_so_it_is_a_backup(run_command, packages, tmp_path, name):
    target = tmp_path / name
    assert run_command("export_packages", str(target))[0] == 0
    status, out, err = run_command("import_packages", str(target))
    assert status == 0, err
    assert "created 0, updated 0, unchanged 4, rejected 0" in out
    assert (
        "ignored column(s), not imported: status, current_office, accepted_at, expected_delivery_at, "
        "delivered_at, received_by, cost_total, cost_currency" in out
    )
