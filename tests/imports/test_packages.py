"""import_packages: the counter's rules and prices, upsert by tracking number,
rejections per field, dry run, resume after a crash."""

import csv
import gzip
import io

import pytest
from django.db.models import F

from shipments.imports.packages import PackageImporter
from shipments.models import Charge, Package, Tariff, TrackingEvent
from shipments.pricing import PriceList
from shipments.selectors import packages_search
from shipments.values import Parcel
from tests.helpers import IMPORT_DATA as DATA
from tests.helpers import package_rows as _rows
from tests.helpers import write_package_rows as _write
from tests.imports.test_package_resume import _many

pytestmark = pytest.mark.django_db
PACKAGES = DATA / "packages.csv"


def test_packages_are_registered_as_the_counter_would_and_a_rerun_changes_nothing(run_command, network, tmp_path):
    status, out, _ = run_command("import_packages", str(PACKAGES))
    assert status == 0
    assert "created 4, updated 0, unchanged 0, rejected 0" in out
    package = Package.objects.select_related("receiver_address").get(tracking_number="EE473124829DE")
    expected = PriceList.load().quote(
        Parcel(
            origin_office=network["JFK01"],
            destination_office=network["LAX01"],
            service="express",
            weight_grams=1200,
            length_cm=40,
            width_cm=30,
            height_cm=20,
            declared_value=50,
        )
    )
    assert package.cost_total == expected.total
    assert package.distance_km == expected.distance_km
    assert (package.status, package.current_office_id) == ("created", network["JFK01"].pk)
    assert package.sender_phone == "+12125550142"
    assert (package.sender_notify_sms, package.receiver_notify_email) == (True, True)
    assert package.receiver_address.line2 == "Apt 4"
    assert package.created_at.isoformat() == "2026-03-01T09:30:00+00:00"
    charge = Charge.objects.get(package=package)
    assert (charge.total, charge.kind, charge.office_id) == (expected.total, "shipping", network["JFK01"].pk)
    event = TrackingEvent.objects.get(package=package)
    assert (event.status, event.source, event.office_id) == ("created", "import", network["JFK01"].pk)
    generated = Package.objects.get(origin_office__code="SFO01")
    assert generated.tracking_number.startswith("EX")
    assert generated.tracking_number.endswith("US")

    numbered = _write(tmp_path / "numbered.csv", [row for row in _rows() if row["tracking_number"]])
    counts = (Package.objects.count(), Charge.objects.count(), TrackingEvent.objects.count())
    status, out, _ = run_command("import_packages", str(numbered))
    assert status == 0
    assert "created 0, updated 0, unchanged 2, rejected 0" in out
    assert (Package.objects.count(), Charge.objects.count(), TrackingEvent.objects.count()) == counts


def test_an_imported_name_is_found_without_its_accents(run_command, network, tmp_path):
    rows = [row | {"receiver_name": "José Álvarez"} for row in _rows()[:1]]
    status, _, _ = run_command("import_packages", str(_write(tmp_path / "p.csv", rows)))
    assert status == 0
    found = packages_search(Package.objects.all(), "alvarez")
    assert [package.receiver_name for package in found] == ["José Álvarez"]


def test_rows_without_a_number_keep_the_one_they_were_given_when_the_same_file_runs_again(
    run_command, network, tmp_path
):
    """The data file has rows without a tracking number: a second run of the same
    file finds the parcels the first one registered, a changed file is new rows."""
    status, out, _ = run_command("import_packages", str(PACKAGES))
    assert "created 4, updated 0, unchanged 0, rejected 0" in out
    first = set(Package.objects.values_list("tracking_number", flat=True))
    counts = (Package.objects.count(), Charge.objects.count(), TrackingEvent.objects.count())

    status, out, _ = run_command("import_packages", str(PACKAGES))
    assert status == 0
    assert "created 0, updated 0, unchanged 4, rejected 0" in out
    assert (Package.objects.count(), Charge.objects.count(), TrackingEvent.objects.count()) == counts

    # A file of the unnumbered rows only: another file, so another parcel each.
    unnumbered = _write(tmp_path / "unnumbered.csv", [row for row in _rows() if not row["tracking_number"]])
    status, out, _ = run_command("import_packages", str(unnumbered))
    assert "created 2, updated 0, unchanged 0, rejected 0" in out
    status, out, _ = run_command("import_packages", str(unnumbered))
    assert "created 0, updated 0, unchanged 2, rejected 0" in out
    assert set(Package.objects.values_list("tracking_number", flat=True)) > first


def test_a_dry_run_remembers_no_number(run_command, network):
    from imports.models import GeneratedTrackingNumber

    status, out, _ = run_command("import_packages", str(PACKAGES), "--dry-run")
    assert "created 4" in out
    assert not GeneratedTrackingNumber.objects.exists()
    status, out, _ = run_command("import_packages", str(PACKAGES))
    assert "created 4, updated 0, unchanged 0, rejected 0" in out


def test_a_changed_party_updates_and_a_changed_parcel_is_refused(run_command, network, tmp_path):
    run_command("import_packages", str(PACKAGES))
    rows = [row for row in _rows() if row["tracking_number"]]
    rows[0]["receiver_name"] = "Grace B. Hopper"
    rows[0]["receiver_city"] = "Santa Monica"
    rows[1]["weight_grams"] = "900"
    errors = tmp_path / "errors.csv"
    status, out, _ = run_command(
        "import_packages", str(_write(tmp_path / "p.csv", rows)), "--errors", str(errors), "--update-parties"
    )
    assert status == 1
    assert "created 0, updated 1, unchanged 0, rejected 1" in out
    package = Package.objects.select_related("receiver_address").get(tracking_number="EE473124829DE")
    assert (package.receiver_name, package.receiver_address.city) == ("Grace B. Hopper", "Santa Monica")
    assert list(csv.reader(errors.open()))[1] == [
        "3",
        "weight_grams",
        "CP100000017DE is already registered with another value: its parcel details and cost are frozen.",
    ]
    assert Package.objects.get(tracking_number="CP100000017DE").weight_grams == 450


def test_a_rerun_changes_nothing_whatever_the_values_look_like(run_command, network, tmp_path):
    """Values COPY escapes (a backslash, a tab) and amounts PostgreSQL prints
    otherwise (50 is stored as 50.00) are still recognised as unchanged."""
    rows = [row for row in _rows() if row["tracking_number"]]
    rows[0] |= {"sender_name": "Ada \\ Lovelace\tjr", "receiver_line2": "Apt\\4", "declared_value": "50"}
    rows[1] |= {"declared_value": "0.0", "receiver_city": "Atlanta\\n"}
    source = _write(tmp_path / "p.csv", rows)
    assert "created 2, updated 0" in run_command("import_packages", str(source))[1]
    first = {package.tracking_number: package for package in Package.objects.select_related("receiver_address")}
    assert first["EE473124829DE"].sender_name == "Ada \\ Lovelace\tjr"
    assert first["EE473124829DE"].receiver_address.line2 == "Apt\\4"
    assert first["CP100000017DE"].receiver_address.city == "Atlanta\\n"

    status, out, _ = run_command("import_packages", str(source))
    assert status == 0
    assert "created 0, updated 0, unchanged 2, rejected 0" in out
    again = {package.tracking_number: package.updated_at for package in Package.objects.all()}
    assert again == {number: package.updated_at for number, package in first.items()}

    rows[0]["sender_name"] = "Ada \\ Lovelace"
    status, out, _ = run_command("import_packages", str(_write(tmp_path / "p.csv", rows)), "--update-parties")
    assert "created 0, updated 1, unchanged 1, rejected 0" in out
    assert Package.objects.get(tracking_number="EE473124829DE").sender_name == "Ada \\ Lovelace"


def test_a_rerun_after_a_tariff_change_keeps_the_registered_cost(run_command, network, tmp_path):
    run_command("import_packages", str(PACKAGES))
    costs = dict(Package.objects.values_list("tracking_number", "cost_total"))
    Tariff.objects.update(base_fee=F("base_fee") + 10)
    numbered = _write(tmp_path / "numbered.csv", [row for row in _rows() if row["tracking_number"]])
    status, out, _ = run_command("import_packages", str(numbered))
    assert status == 0
    assert "created 0, updated 0, unchanged 2, rejected 0" in out
    assert dict(Package.objects.values_list("tracking_number", "cost_total")) == costs
    assert sorted(Charge.objects.values_list("total", flat=True)) == sorted(costs.values())


def test_every_rejection_reason(run_command, network, tmp_path):
    base = _rows()[0]
    cases = [
        ({"tracking_number": "EE473124828DE"}, "tracking_number", "wrong check digit"),
        ({"tracking_number": "12345"}, "tracking_number", "is not a tracking number"),
        ({"origin_office": "NOPE1"}, "origin_office", "Unknown office code “NOPE1”."),
        ({"destination_office": ""}, "destination_office", "Required."),
        ({"service": "teleport"}, "service", "Unknown service"),
        ({"weight_grams": "1.5"}, "weight_grams", "Must be a whole number greater than zero."),
        ({"weight_grams": "80000"}, "weight_grams", "over 70 kg are freight"),
        ({"length_cm": "301"}, "length_cm", "No side may be longer than 300 cm."),
        ({"declared_value": "-5"}, "declared_value", "Must be an amount of zero or more."),
        ({"currency": "EUR"}, "currency", "Declared values are taken in USD only."),
        ({"sender_name": " "}, "sender_name", "Enter a name."),
        ({"receiver_line1": ""}, "receiver_line1", "Enter the street address."),
        ({"sender_country": "USA"}, "sender_country", "two-letter ISO country code"),
        ({"sender_phone": "call me"}, "sender_phone", "This is not a valid phone number"),
        ({"sender_phone": "+15550100"}, "sender_phone", "This is not a valid phone number"),
        ({"receiver_phone": "555-0100"}, "receiver_phone", "This is not a valid phone number"),
        ({"sender_phone": ""}, "sender_phone", "A phone number is needed for SMS notifications."),
        ({"receiver_email": ""}, "receiver_email", "An email address is needed for email notifications."),
        ({"receiver_email": "grace at example"}, "receiver_email", "Not an email address."),
        ({"sender_notify_sms": "maybe"}, "sender_notify_sms", "Use true or false."),
        ({"created_at": "yesterday"}, "created_at", "Use ISO 8601"),
        ({"created_at": "2999-01-01T00:00:00Z"}, "created_at", "In the future."),
    ]
    rows = [base | change for change, _, _ in cases] + [base, base]
    errors = tmp_path / "errors.csv"
    status, out, _ = run_command("import_packages", str(_write(tmp_path / "p.csv", rows)), "--errors", str(errors))
    assert status == 1
    assert f"created 1, updated 0, unchanged 0, rejected {len(cases) + 1}" in out
    found = {}
    for line, field, reason in list(csv.reader(errors.open()))[1:]:
        found.setdefault(int(line), {})[field] = reason
    for line, (_, field, reason) in enumerate(cases, start=2):
        assert reason in found[line].get(field, ""), (line, field, found[line])
    assert found[len(cases) + 3] == {"tracking_number": f"Also on line {len(cases) + 2} of this batch."}


def test_dry_run_writes_nothing(run_command, network):
    status, out, _ = run_command("import_packages", str(PACKAGES), "--dry-run")
    assert status == 0
    assert "created 4" in out
    assert "dry run" in out
    assert (Package.objects.count(), Charge.objects.count(), TrackingEvent.objects.count()) == (0, 0, 0)


def test_gzip_from_s3(run_command, network, s3):
    s3.put_object(Bucket=s3.bucket, Key="imports/packages/p.csv.gz", Body=gzip.compress(PACKAGES.read_bytes()))
    status, out, _ = run_command("import_packages", f"s3://{s3.bucket}/imports/packages/p.csv.gz")
    assert status == 0
    assert "created 4" in out


def test_stdin_jsonl(run_command, network, monkeypatch):
    import json
    import sys

    lines = "".join(json.dumps(row) + "\n" for row in _rows())
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(lines.encode())))
    status, out, _ = run_command("import_packages", "-", "--format", "jsonl")
    assert status == 0
    assert "created 4" in out


def test_jsonl_nested_as_the_api_writes_it(run_command, network, tmp_path):
    import json

    row = _rows()[0]
    nested = {
        key: value
        for key, value in row.items()
        if not key.startswith(("sender_", "receiver_")) or key.endswith(("notify_sms", "notify_email"))
    }
    for role in ("sender", "receiver"):
        nested[role] = {
            "name": row[f"{role}_name"],
            "email": row[f"{role}_email"],
            "phone": row[f"{role}_phone"],
            "address": {
                name: row[f"{role}_{name}"] for name in ("line1", "line2", "city", "region", "postal_code", "country")
            },
        }
    nested["sender_notify_sms"] = True
    source = tmp_path / "nested.jsonl"
    source.write_text(json.dumps(nested) + "\n")
    status, out, _ = run_command("import_packages", str(source))
    assert status == 0, out
    package = Package.objects.select_related("receiver_address").get(tracking_number="EE473124829DE")
    assert (package.receiver_address.line2, package.sender_notify_sms) == ("Apt 4", True)


def test_packages_priced_ahead_in_the_reader_cost_what_the_counter_quotes(run_command, network, tmp_path, monkeypatch):
    # One row a batch: some are priced by the writes, others ahead by the reader (which
    # depends on timing, so not asserted); each is priced once, at the counter's quote.
    priced: list[int] = []
    real = PackageImporter._costs

    def costs(self, staged):
        priced.append(1)
        return real(self, staged)

    monkeypatch.setattr(PackageImporter, "_costs", costs)
    source = _many(tmp_path, count=8)
    status, out, _ = run_command("import_packages", str(source), "--batch-size", "1")
    assert status == 0
    assert "created 8" in out
    assert len(priced) == 8  # each package priced once
    price_list = PriceList.load()
    for package in Package.objects.select_related("origin_office__location", "destination_office__location"):
        expected = price_list.quote(
            Parcel(
                origin_office=package.origin_office,
                destination_office=package.destination_office,
                service=package.service,
                weight_grams=package.weight_grams,
                length_cm=package.length_cm,
                width_cm=package.width_cm,
                height_cm=package.height_cm,
                declared_value=package.declared_value,
            )
        )
        assert (package.cost_total, package.chargeable_weight_grams, package.transit_days) == (
            expected.total,
            expected.chargeable_weight_grams,
            expected.transit_days,
        )
        assert Charge.objects.get(package=package, kind="shipping").total == expected.total


def test_rows_without_a_number_from_stdin_are_warned_about_in_the_summary(run_command, network, monkeypatch):
    import sys

    text = PACKAGES.read_text()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode())))
    status, out, _ = run_command("import_packages", "-")
    assert status == 0
    assert "created 4" in out
    assert (
        "warning: 2 row(s) without a tracking number came from stdin, which cannot be recognised again: "
        "importing the same rows again registers them again" in out
    )
    # A file remembers the numbers it gave: no warning.
    status, out, _ = run_command("import_packages", str(PACKAGES))
    assert "warning" not in out


def test_a_three_letter_country_is_one_error_not_also_a_wrong_phone(run_command, network, tmp_path):
    row = _rows()[0] | {"sender_country": "USA", "sender_phone": "(212) 555-0142"}
    errors = tmp_path / "rejected.csv"
    status, _, _ = run_command("import_packages", str(_write(tmp_path / "usa.csv", [row])), "--errors", str(errors))
    assert status == 1
    assert list(csv.reader(errors.open(newline="")))[1:] == [
        ["2", "sender_country", "Use the two-letter ISO country code, e.g. US."]
    ]
