"""import_events starts returns as the service does: a refusal or the third
failed delivery adds a return_started event and the return fee; the way back
follows the same table (no delivery to the receiver)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from shipments.models import Charge
from shipments.services import package_record_event
from tests.factories import register_package

pytestmark = pytest.mark.django_db
HEADER = "tracking_number,status,office,occurred_at,reason,received_by\n"


@pytest.fixture
def out(office_a, office_c, tariff):
    """A to C, out for delivery from C since a day."""
    start = timezone.now() - timedelta(days=2)
    package = register_package(origin=office_a, destination=office_c, registered_at=start, accept=True)
    package_record_event(package=package, status="in_transit", occurred_at=start + timedelta(hours=1))
    package_record_event(package=package, status="arrived", office=office_c, occurred_at=start + timedelta(hours=2))
    return package, start + timedelta(hours=2)


def _file(tmp_path, rows):
    path = tmp_path / "events.csv"
    path.write_text(HEADER + "".join(f"{','.join(row)}\n" for row in rows))
    return str(path)


def test_an_imported_refusal_starts_the_return_and_charges_its_fee(run_command, tmp_path, out):
    package, at = out
    number = package.tracking_number
    rows = [
        (number, "out_for_delivery", "CCC01", (at + timedelta(hours=1)).isoformat(), "", ""),
        (number, "delivery_failed", "CCC01", (at + timedelta(hours=2)).isoformat(), "refused", ""),
        (number, "delivered", "CCC01", (at + timedelta(hours=3)).isoformat(), "", "Rita"),
    ]
    status, output, _ = run_command("import_events", _file(tmp_path, rows))
    assert "created 3, updated 0, unchanged 0, rejected 1" in output  # two rows and the return they started
    package.refresh_from_db()
    assert (package.status, package.returning, package.received_by) == ("return_started", True, "")
    started = package.events.get(status="return_started")
    assert (started.reason, started.office.code, started.source) == ("refused", "CCC01", "import")
    charge = Charge.objects.get(package=package, kind="return")
    assert (charge.total, charge.office_id) == (Decimal("4.50"), package.origin_office_id)  # the tariff's fee

    # A re-run changes nothing: no second return, no second fee.
    status, output, _ = run_command("import_events", _file(tmp_path, rows))
    assert package.events.filter(status="return_started").count() == 1
    assert Charge.objects.filter(package=package, kind="return").count() == 1


def test_the_third_imported_failure_starts_the_return(run_command, tmp_path, out):
    package, at = out
    number, rows = package.tracking_number, []
    for attempt in range(3):
        rows.append((number, "out_for_delivery", "CCC01", (at + timedelta(hours=2 * attempt + 1)).isoformat(), "", ""))
        rows.append(
            (
                number,
                "delivery_failed",
                "CCC01",
                (at + timedelta(hours=2 * attempt + 2)).isoformat(),
                "receiver_absent",
                "",
            )
        )
    run_command("import_events", _file(tmp_path, rows))
    package.refresh_from_db()
    assert package.status == "return_started"
    assert package.events.get(status="return_started").reason == "delivery_attempts"
