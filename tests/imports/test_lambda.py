"""The S3 ObjectCreated Lambda function: the right import for the key, and a
file too large for one invocation finished by follow-up invocations."""

import csv
import io
from types import SimpleNamespace

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connections

from imports import lambda_handler
from imports.models import ImportRun
from offices.models import Office
from shipments.imports.events import EventImporter
from shipments.models import Package
from tests.helpers import IMPORT_DATA as DATA

pytestmark = pytest.mark.django_db


def _event(bucket: str, key: str) -> dict:
    return {
        "Records": [
            {
                "eventSource": "aws:s3",
                "eventName": "ObjectCreated:Put",
                "s3": {"bucket": {"name": bucket}, "object": {"key": key.replace(" ", "+")}},
            }
        ]
    }


def _context(seconds_left: float):
    return SimpleNamespace(
        get_remaining_time_in_millis=lambda: int(seconds_left * 1000),
        invoked_function_arn="arn:aws:lambda:us-east-1:123456789012:function:imports",
    )


def test_an_office_list_dropped_in_s3_is_imported(s3):
    s3.put_object(Bucket=s3.bucket, Key="imports/offices/network plan.csv", Body=(DATA / "offices.csv").read_bytes())
    outcomes = lambda_handler.handle_s3_event(_event(s3.bucket, "imports/offices/network plan.csv"), _context(900))
    assert outcomes[0]["finished"] is True
    assert "created 18" in outcomes[0]["summary"]
    assert Office.objects.count() == 18
    errors = s3.get_object(Bucket=s3.bucket, Key="import-errors/imports/offices/network plan.csv.from-0.csv")
    assert errors["Body"].read().decode().strip() == "line,field,reason"


def test_a_large_file_is_finished_by_follow_up_invocations(s3, tariffs, monkeypatch):
    s3.put_object(Bucket=s3.bucket, Key="imports/offices/o.csv", Body=(DATA / "offices.csv").read_bytes())
    lambda_handler.handle_s3_event(_event(s3.bucket, "imports/offices/o.csv"), _context(900))
    template = next(csv.DictReader((DATA / "packages.csv").open()))
    body = io.StringIO()
    writer = csv.DictWriter(body, fieldnames=list(template))
    writer.writeheader()
    for n in range(25):
        writer.writerow(template | {"tracking_number": "", "sender_name": f"Sender {n}"})
    s3.put_object(Bucket=s3.bucket, Key="imports/packages/big.csv", Body=body.getvalue().encode())
    monkeypatch.setenv("IMPORT_BATCH_SIZE", "10")
    handed_over = []
    monkeypatch.setattr(lambda_handler, "follow_up", lambda event, context: handed_over.append(event))

    event = _event(s3.bucket, "imports/packages/big.csv")
    invocations = 0
    while True:
        invocations += 1
        # Less time left than the safety margin: one batch per invocation.
        lambda_handler.handle_s3_event(event, _context(30))
        if not handed_over:
            break
        assert handed_over.pop() == event
    assert invocations == 3
    assert Package.objects.count() == 25
    run = ImportRun.objects.get(kind="import_packages")
    assert (run.rows_done, run.created, run.state) == (25, 25, ImportRun.State.DONE)


def test_keys_outside_a_known_import_are_left_alone(s3):
    assert lambda_handler.handle_s3_event(_event(s3.bucket, "imports/unknown/x.csv"), _context(900)) == []
    assert lambda_handler.handle_s3_event(_event(s3.bucket, "elsewhere/x.csv"), _context(900)) == []


def test_the_function_that_reads_files_refuses_to_run_with_the_owners_database_url(s3, monkeypatch):
    """A crafted file must not meet the tables' owner: with DATABASE_MIGRATION_URL set
    (another role than DATABASE_URL's), the S3 import reads nothing and says why."""
    s3.put_object(Bucket=s3.bucket, Key="imports/offices/o.csv", Body=(DATA / "offices.csv").read_bytes())
    monkeypatch.setitem(connections["migrations"].settings_dict, "USER", "parcels_owner")
    with pytest.raises(ImproperlyConfigured, match="remove DATABASE_MIGRATION_URL"):
        lambda_handler.handle_s3_event(_event(s3.bucket, "imports/offices/o.csv"), _context(900))
    assert Office.objects.count() == 0
    assert not ImportRun.objects.exists()


def test_an_events_file_is_sorted_once_across_the_invocations_that_import_it(s3, run_command, network, monkeypatch):
    assert run_command("import_packages", str(DATA / "packages.csv"))[0] == 0
    key = "imports/events/scans.csv"
    s3.put_object(Bucket=s3.bucket, Key=key, Body=(DATA / "events.csv").read_bytes())
    monkeypatch.setenv("IMPORT_BATCH_SIZE", "2")
    sorted_keys = []
    real_key = EventImporter.order_key

    def counted(self, row):
        sorted_keys.append(row["external_id"])
        return real_key(self, row)

    monkeypatch.setattr(EventImporter, "order_key", counted)
    handed_over = []
    monkeypatch.setattr(lambda_handler, "follow_up", lambda event, context: handed_over.append(event))

    event = _event(s3.bucket, key)
    invocations = 0
    while True:
        invocations += 1
        lambda_handler.handle_s3_event(event, _context(30))  # one batch of two scans each
        if not handed_over:
            break
        handed_over.pop()
    assert invocations == 4
    # Each of the file's seven rows was given its place once, by the first invocation.
    assert len(sorted_keys) == 7
    # The scans went in by package and time, whatever the file's order.
    ada = Package.objects.get(tracking_number="EE473124829DE")
    assert (ada.status, ada.received_by) == ("delivered", "Grace Hopper")
    run = ImportRun.objects.get(kind="import_events")
    assert (run.rows_done, run.state) == (7, ImportRun.State.DONE)
    # Kept beside the file, outside imports/ (it triggers nothing), until the bucket's lifecycle rule expires it.
    (copy,) = s3.list_objects_v2(Bucket=s3.bucket, Prefix="import-sorted/")["Contents"]
    assert copy["Key"].startswith("import-sorted/imports/events/scans.csv.etag-")
