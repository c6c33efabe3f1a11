"""import_events applies the counter's step guards and after-step hooks to
counter parcels, as package_record_event does: an unpaid parcel is not
accepted, a COD parcel is not delivered before its amount is collected, and an
imported cancellation gives the COD fee back. The other rows go in."""

import csv
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from counter.services import payment_record
from shipments.models import Charge
from tests.counter.conftest import at_destination, card
from tests.factories import clerk_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def clerk_c(office_c):
    return clerk_at(office_c, username="clerk_c")


def run_import(tmp_path, rows: list[str], header="tracking_number,status,office,occurred_at,received_by"):
    """Import ``rows`` (CSV lines); (exit status, stdout, the errors file's rows)."""
    source, errors = tmp_path / "events.csv", tmp_path / "errors.csv"
    source.write_text("\n".join([header, *rows]) + "\n")
    stdout = io.StringIO()
    try:
        call_command("import_events", str(source), "--errors", str(errors), stdout=stdout, stderr=io.StringIO())
        status = 0
    except CommandError as error:
        status = error.returncode
    rejected = list(csv.reader(errors.open()))[1:] if errors.exists() else []
    return status, stdout.getvalue(), rejected


def test_an_unpaid_counter_parcel_is_not_accepted_by_an_import_and_a_paid_one_is(register, tmp_path):
    unpaid, paid = register(None), register(card())
    now = timezone.now().isoformat()
    status, out, rejected = run_import(
        tmp_path, [f"{unpaid.tracking_number},accepted,AAA01,{now},", f"{paid.tracking_number},accepted,AAA01,{now},"]
    )
    assert status == 1
    assert "created 1, updated 0, unchanged 0, rejected 1" in out
    owed = f"{unpaid.account.due} {unpaid.account.currency}"
    assert rejected == [["2", "payment", f"Take the payment of {owed} before accepting."]]
    unpaid.refresh_from_db()
    paid.refresh_from_db()
    assert (unpaid.status, paid.status) == ("created", "accepted")


def test_a_cod_parcel_is_delivered_by_an_import_only_once_its_amount_is_collected(
    register, cod_tariff, office_c, clerk_c, tmp_path
):
    package = at_destination(register(card(), cod_amount="25.00"), office_c)
    row = f"{package.tracking_number},delivered,CCC01,{timezone.now().isoformat()},Rita Receiver"
    status, out, rejected = run_import(tmp_path, [row])
    assert status == 1
    sentence = f"Collect the cash on delivery of 25.00 {package.account.currency} before delivering."
    assert rejected == [["2", "payment", sentence]]
    package.refresh_from_db()
    assert package.status == "out_for_delivery"

    payment_record(package=package, actor=clerk_c, kind="cod", tender=card(reference="COD-1"), office=office_c)
    row = f"{package.tracking_number},delivered,CCC01,{timezone.now().isoformat()},Rita Receiver"
    status, out, rejected = run_import(tmp_path, [row])
    assert (status, rejected) == (0, [])
    package.refresh_from_db()
    assert package.status == "delivered"


def test_a_cancellation_by_import_gives_the_cod_fee_back(register, cod_tariff, tmp_path):
    package = register(card(), cod_amount="25.00")
    status, out, rejected = run_import(tmp_path, [f"{package.tracking_number},cancelled,AAA01,{timezone.now()},"])
    assert (status, rejected) == (0, [])
    charges = dict(Charge.objects.filter(package=package).values_list("kind", "total"))
    assert charges["cod_refund"] == -charges["cod_fee"] == -cod_tariff.cod_fee
    assert charges["refund"] == -charges["shipping"]
