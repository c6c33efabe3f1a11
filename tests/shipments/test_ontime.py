"""The on-time report: per service and month, delivered, on time, the median
days from acceptance to delivery, returns and their reasons; an office's and
the network's; the API's JSON and CSV; and the cost report's return fees."""

import csv
import io
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from shipments.ontime import on_time_report
from shipments.reports import cost_report
from shipments.services import package_record_event
from tests.factories import register_package

pytestmark = pytest.mark.django_db


def _months_ago(count: int) -> datetime:
    """Midnight UTC on the 1st of the month ``count`` months before this one."""
    today = datetime.now(UTC)
    months = today.year * 12 + today.month - 1 - count
    return datetime(months // 12, months % 12 + 1, 1, tzinfo=UTC)


FIRST, SECOND = _months_ago(2), _months_ago(1)
TODAY = datetime.now(UTC).date()


def delivered(origin, destination, *, accepted_at, after_days, service="standard"):
    package = register_package(origin=origin, destination=destination, service=service, registered_at=accepted_at)
    package_record_event(package=package, status="accepted", occurred_at=accepted_at)
    package_record_event(package=package, status="out_for_delivery", occurred_at=accepted_at + timedelta(hours=1))
    package_record_event(
        package=package, status="delivered", received_by="Rita", occurred_at=accepted_at + timedelta(days=after_days)
    )
    return package


def returned(origin, destination, *, at, reason):
    package = register_package(origin=origin, destination=destination, registered_at=at)
    package_record_event(package=package, status="accepted", occurred_at=at)
    if reason == "refused":
        package_record_event(package=package, status="out_for_delivery", occurred_at=at + timedelta(hours=1))
        package_record_event(
            package=package, status="delivery_failed", reason="refused", occurred_at=at + timedelta(hours=2)
        )
    else:
        package_record_event(
            package=package, status="return_started", reason=reason, occurred_at=at + timedelta(hours=2)
        )
    return package


@pytest.fixture
def history(office_a, office_b, office_c, tariffs):
    day = timedelta(days=1)
    # The first month, standard from A: 2 days and 4.5 days (on time, ETA 5 days), 8 days (late).
    delivered(office_a, office_c, accepted_at=FIRST + 2 * day, after_days=2)
    delivered(office_a, office_c, accepted_at=FIRST + 3 * day, after_days=8)
    delivered(office_a, office_c, accepted_at=FIRST + 4 * day, after_days=4.5)
    # The second month: one express from A in a day; two returns from A; one from B delivered.
    delivered(office_a, office_c, accepted_at=SECOND + 2 * day, after_days=1, service="express")
    returned(office_a, office_c, at=SECOND + 3 * day, reason="refused")
    returned(office_a, office_c, at=SECOND + 4 * day, reason="address_issue")
    returned(office_a, office_c, at=SECOND + 5 * day, reason="refused")
    delivered(office_b, office_c, accepted_at=SECOND + 2 * day, after_days=6)


def _rows(report):
    return [
        (
            f"{row.month:%Y-%m}",
            row.service,
            row.delivered,
            row.on_time,
            row.on_time_percent,
            row.median_days,
            row.returns,
            row.return_reasons,
        )
        for row in report.rows
    ]


def test_an_offices_report_counts_the_parcels_it_sent(history, office_a):
    report = on_time_report(office=office_a, date_from=FIRST.date(), date_to=TODAY)
    first, second = f"{FIRST:%Y-%m}", f"{SECOND:%Y-%m}"
    assert _rows(report) == [
        (first, "standard", 3, 2, Decimal("66.7"), Decimal("4.5"), 0, {}),
        (second, "standard", 0, 0, None, None, 3, {"refused": 2, "address_issue": 1}),
        (second, "express", 1, 1, Decimal("100.0"), Decimal("1.0"), 0, {}),
    ]


def test_the_networks_report_counts_every_office(history):
    report = on_time_report(office=None, date_from=FIRST.date(), date_to=TODAY)
    second_standard = [row for row in report.rows if row.month == SECOND.date() and row.service == "standard"][0]
    assert (second_standard.delivered, second_standard.on_time, second_standard.median_days) == (1, 0, Decimal("6.0"))
    assert second_standard.returns == 3
    assert sum(row.delivered for row in report.rows) == 5


def test_a_range_outside_the_history_is_empty_and_a_reversed_one_refused(history, office_a):
    assert on_time_report(office=office_a, date_from=date(2001, 1, 1), date_to=date(2001, 12, 31)).rows == []
    with pytest.raises(Exception, match="before the start"):
        on_time_report(office=office_a, date_from=date(2001, 2, 1), date_to=date(2001, 1, 1))


def test_the_api_answers_json_and_csv_for_managers_and_hq(history, office_a, manager_a, hq, client_for):
    frm, to = FIRST.date().isoformat(), TODAY.isoformat()
    url = f"/api/v1/reports/on-time/?office=aaa01&from={frm}&to={to}"
    body = client_for(manager_a).get(url).json()
    assert (body["office"], body["from"], body["time_zone"]) == ("AAA01", frm, "UTC")
    assert body["rows"][0] == {
        "month": f"{FIRST:%Y-%m}",
        "service": "standard",
        "delivered": 3,
        "on_time": 2,
        "on_time_percent": "66.7",
        "median_days": "4.5",
        "returns": 0,
        "return_reasons": {},
    }
    assert body["rows"][1]["return_reasons"] == {"refused": 2, "address_issue": 1}

    response = client_for(manager_a).get(url + "&format=csv")
    assert response["Content-Type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(response.content.decode())))
    assert lines[0][:4] == ["office", "month", "service", "delivered"]
    assert lines[2] == ["AAA01", f"{SECOND:%Y-%m}", "standard", "0", "0", "", "", "3", "refused:2 address_issue:1"]

    network = client_for(hq).get(f"/api/v1/reports/on-time/?from={frm}&to={to}").json()
    assert network["office"] is None
    assert sum(row["delivered"] for row in network["rows"]) == 5
    refused = client_for(manager_a).get(f"/api/v1/reports/on-time/?from={frm}&to={to}")
    assert refused.status_code == 403  # the network's is HQ's


@pytest.mark.parametrize(
    "query", ["office=NOPE1", "from=2026-13-01", "from=1900-01-01", "from=2026-02-01&to=2026-01-01", "office=A%00"]
)
def test_bad_queries_are_400_or_404_in_the_error_shape(query, hq, client_for, office_a):
    response = client_for(hq).get(f"/api/v1/reports/on-time/?{query}&format=csv")
    assert response.status_code in (400, 404)
    assert set(response.json()["error"]) == {"code", "message", "details"}


def test_the_cost_report_shows_the_return_fees(history, office_a, tariffs):
    report = cost_report(office=office_a, date_from=TODAY - timedelta(days=1), date_to=TODAY)
    # Return charges are dated when the return was recorded (now), at the tariff's fee.
    assert (report.returns, report.return_fees) == (3, Decimal("13.50"))
    standard = [row for row in report.rows["service"] if row.key == "standard"][0]
    assert (standard.returns, standard.return_fees) == (3, Decimal("13.50"))
