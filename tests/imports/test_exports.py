"""export_packages: the API list's filters, CSV through COPY, JSONL, gzip, S3."""

import csv
import gzip
import json

import pytest

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
