"""import_events: out-of-order files applied in time order through the
service's rules, illegal steps rejected row by row, idempotent re-runs."""

import csv

import pytest
from django.utils import timezone

from shipments.models import Charge, Package, TrackingEvent
from tests.helpers import IMPORT_DATA as DATA

pytestmark = pytest.mark.django_db
EVENTS = DATA / "events.csv"
# EE473124829DE's journey in tests/data/events.csv, listed there out of order.
TIMELINE = ["created", "accepted", "in_transit", "arrived", "out_for_delivery", "delivered"]
HEADER = "tracking_number,status,office,occurred_at,note,reason,external_id,received_by\n"


@pytest.fixture
def packages(run_command, tariffs):
    assert run_command("import_offices", str(DATA / "offices.csv"))[0] == 0
    assert run_command("import_packages", str(DATA / "packages.csv"))[0] == 0


# One row a batch: the package's events, listed against time, reach five batches; the whole
# file is sorted by package and time first, so each batch still takes the next one in time.
@pytest.mark.parametrize("batch_size", ["10000", "1"])
def test_events_out_of_order_are_applied_in_time_order_and_a_rerun_changes_nothing(
    run_command, packages, tmp_path, batch_size
):
    errors = tmp_path / "errors.csv"
    status, out, _ = run_command("import_events", str(EVENTS), "--errors", str(errors), "--batch-size", batch_size)
    assert status == 1
    assert "created 6, updated 0, unchanged 0, rejected 1" in out
    package = Package.objects.select_related("current_office").get(tracking_number="EE473124829DE")
    assert (package.status, package.current_office.code, package.received_by) == ("delivered", "LAX01", "Grace Hopper")
    assert package.delivered_at.isoformat() == "2026-03-02T14:00:00+00:00"
    assert package.accepted_at.isoformat() == "2026-03-01T10:00:00+00:00"
    assert (package.expected_delivery_at - package.accepted_at).days == package.transit_days
    timeline = list(package.events.values_list("status", "source"))
    assert [status for status, _ in timeline] == TIMELINE
    assert {source for _, source in timeline[1:]} == {"import"}

    cancelled = Package.objects.get(tracking_number="CP100000017DE")
    assert cancelled.status == "cancelled"
    refund = Charge.objects.get(package=cancelled, kind="refund")
    assert refund.total == -cancelled.cost_total
    assert list(csv.reader(errors.open()))[1:] == [
        ["8", "status", "CP100000017DE is cancelled; it cannot become accepted (sent). Its journey is over."]
    ]

    events = TrackingEvent.objects.count()
    status, out, _ = run_command("import_events", str(EVENTS))
    assert "created 0, updated 0, unchanged 6, rejected 1" in out
    assert TrackingEvent.objects.count() == events


def test_an_imported_cancellation_refunds_when_it_is_imported_not_when_it_happened(run_command, packages):
    """CP100000017DE was cancelled on 2026-03-02 (the file says so): its refund is dated by the import,
    so a report of March, closed since, does not change."""
    run_command("import_events", str(EVENTS))
    cancelled = Package.objects.get(tracking_number="CP100000017DE")
    event = cancelled.events.get(status="cancelled")
    assert event.occurred_at.isoformat() == "2026-03-02T11:00:00+00:00"
    refund = Charge.objects.get(package=cancelled, kind="refund")
    assert refund.charged_at == event.recorded_at
    assert refund.charged_at.date() == timezone.now().date()


def test_every_rejection_reason(run_command, packages, tmp_path):
    source = tmp_path / "events.csv"
    source.write_text(
        HEADER
        + "EE473124829DE,accepted,LAX01,2026-03-01T10:00:00Z,,,,\n"  # not the origin
        + "EE473124828DE,accepted,JFK01,2026-03-01T10:00:00Z,,,,\n"  # check digit
        + "EE100000017US,accepted,JFK01,2026-03-01T10:00:00Z,,,,\n"  # no such package
        + "EE473124829DE,teleported,JFK01,2026-03-01T10:00:00Z,,,,\n"
        + "EE473124829DE,delayed,JFK01,2026-03-01T10:00:00Z,,,,\n"  # reason required
        + "EE473124829DE,accepted,NOPE1,2026-03-01T10:00:00Z,,,,\n"
        + "EE473124829DE,accepted,JFK01,soon,,,,\n"
        + "EE473124829DE,accepted,JFK01,2999-01-01T00:00:00Z,,,,\n"
        + "EE473124829DE,accepted,JFK01,2026-02-01T10:00:00Z,,,,\n"  # before its created event
        + "EE473124829DE,in_transit,JFK01,2026-03-01T11:00:00Z,,,,\n"  # created cannot go in transit
    )
    errors = tmp_path / "errors.csv"
    status, out, _ = run_command("import_events", str(source), "--errors", str(errors))
    assert status == 1
    assert "created 0, updated 0, unchanged 0, rejected 10" in out
    found = {int(line): (field, reason) for line, field, reason in list(csv.reader(errors.open()))[1:]}
    assert found[2] == ("office", "A package is accepted only at its origin office.")
    assert found[3][0] == "tracking_number"
    assert "wrong check digit" in found[3][1]
    assert found[4] == ("tracking_number", "No package EE100000017US.")
    assert found[5] == ("status", "Unknown status “teleported”.")
    assert found[6] == ("reason", "Pick a reason for “Delayed”.")
    assert found[7] == ("office", "Unknown office code “NOPE1”.")
    assert found[8][0] == "occurred_at"
    assert found[9] == ("occurred_at", "An event cannot happen in the future.")
    assert found[10][0] == "occurred_at"
    assert "cannot be earlier" in found[10][1]
    assert found[11][0] == "status"
    assert "cannot become in transit" in found[11][1]
    assert Package.objects.get(tracking_number="EE473124829DE").status == "created"


def test_dry_run_records_nothing(run_command, packages):
    events = TrackingEvent.objects.count()
    status, out, _ = run_command("import_events", str(EVENTS), "--dry-run", "--notify")
    assert status == 1
    assert "created 6" in out
    assert "dry run" in out
    assert TrackingEvent.objects.count() == events
    assert Package.objects.get(tracking_number="EE473124829DE").status == "created"


def test_without_notify_an_import_enqueues_nothing_and_a_rerun_with_it_has_nothing_new(run_command, packages):
    from notifications.models import Notification

    assert run_command("import_events", str(EVENTS))[0] == 1  # one illegal row in the file
    assert not Notification.objects.exists()  # bulk SQL fires no signal
    assert "created 0" in run_command("import_events", str(EVENTS), "--notify")[1]
    assert not Notification.objects.exists()


def test_notify_enqueues_one_topic_message_per_new_event(run_command, packages):
    from notifications.models import Notification

    before = set(TrackingEvent.objects.values_list("pk", flat=True))
    status, out, _ = run_command("import_events", str(EVENTS), "--notify")
    assert status == 1
    assert "created 6" in out
    new = TrackingEvent.objects.exclude(pk__in=before)
    topic = Notification.objects.filter(channel=Notification.Channel.TOPIC)
    assert sorted(topic.values_list("event_id", flat=True)) == sorted(new.values_list("pk", flat=True))


def test_resume_after_a_crash_takes_the_sorted_rows_after_the_last_committed_batch(run_command, packages, monkeypatch):
    from imports.models import ImportRun
    from shipments.imports.events import EventImporter

    real = EventImporter.import_batch
    calls = {"n": 0}

    def crash_on_the_third_batch(self, checked):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("the Lambda was killed")
        return real(self, checked)

    monkeypatch.setattr(EventImporter, "import_batch", crash_on_the_third_batch)
    with pytest.raises(RuntimeError):
        run_command("import_events", str(EVENTS), "--batch-size", "2")
    # Sorted by package, then time: CP100000017DE's two rows first, then the other's first two steps.
    assert ImportRun.objects.get(kind="import_events").rows_done == 4
    assert list(Package.objects.get(tracking_number="EE473124829DE").events.values_list("status", flat=True)) == [
        "created",
        "accepted",
        "in_transit",
    ]

    monkeypatch.setattr(EventImporter, "import_batch", real)
    status, out, _ = run_command("import_events", str(EVENTS), "--batch-size", "2", "--resume")
    assert status == 1
    assert "created 6, updated 0, unchanged 0, rejected 1; 7 rows" in out
    package = Package.objects.get(tracking_number="EE473124829DE")
    assert package.status == "delivered"
    assert list(package.events.values_list("status", flat=True)) == TIMELINE
    assert TrackingEvent.objects.filter(package=package).count() == 6


def test_times_at_the_ends_of_the_calendar_and_null_bytes_are_rejected_rows_not_a_crash(
    run_command, packages, tmp_path
):
    source = tmp_path / "events.csv"
    source.write_text(
        HEADER
        + "EE473124829DE,accepted,JFK01,0001-01-01T00:00:00+01:00,,,,\n"  # year 0 in UTC
        + "EE473124829DE,accepted,JFK01,9999-12-31T23:59:59-01:00,,,,\n"  # year 10000 in UTC
        + "EE473124829DE,accepted,JFK01,2026-03-01T10:00:00\x00Z,,,,\n"
    )
    errors = tmp_path / "errors.csv"
    status, out, _ = run_command("import_events", str(source), "--errors", str(errors))
    assert status == 1
    assert "created 0, updated 0, unchanged 0, rejected 3" in out
    found = {int(line): (field, reason) for line, field, reason in list(csv.reader(errors.open()))[1:]}
    assert found[2] == ("occurred_at", "An event cannot happen before 2000-01-01, when the network started.")
    assert found[3] == ("occurred_at", "An event cannot happen in the future.")
    # Python's fromisoformat would read this one; PostgreSQL cannot store a NUL in text at all.
    assert found[4] == ("line", "has a null byte (0x00) in occurred_at: not text")
