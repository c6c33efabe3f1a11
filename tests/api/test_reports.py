"""The cost report endpoints: an office's (managers and HQ) and the whole network's (HQ)."""

import csv
import io

import pytest
from django.utils import timezone

from shipments.models import Charge
from tests.factories import register_package
from tests.helpers import assert_error


# One query fewer since the throttle counts in one upsert of its own (api_throttlewindow).
@pytest.mark.parametrize(("group_by", "queries"), [("day", 7), ("destination", 8)])
def test_an_offices_report_costs_a_fixed_number_of_queries(
    group_by, queries, client_for, manager_a, office_a, office_b, tariff, django_assert_num_queries
):
    for _ in range(3):
        register_package(origin=office_a, destination=office_b)
    client = client_for(manager_a)
    client.get("/api/v1/offices/AAA01/reports/costs/")
    # session, user, HQ group, memberships, the throttle's upsert, the office, the
    # report (one pass), and for destinations their names.
    with django_assert_num_queries(queries):
        assert client.get(f"/api/v1/offices/AAA01/reports/costs/?group_by={group_by}").status_code == 200


def test_hq_reads_the_whole_networks_report_by_origin_office(client_for, hq, office_a, office_b, office_c, tariff):
    from_a = [register_package(origin=office_a, destination=office_c) for _ in range(2)]
    from_b = register_package(origin=office_b, destination=office_c)
    client = client_for(hq)
    response = client.get("/api/v1/reports/costs/?group_by=office")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["office"] is None
    assert body["group_by"] == "office"
    revenue_a = sum(package.cost_total for package in from_a)
    assert body["totals"]["packages"] == 3
    assert body["totals"]["revenue"] == str(revenue_a + from_b.cost_total)
    assert [(row["key"], row["label"], row["packages"], row["revenue"]) for row in body["rows"]] == [
        ("AAA01", office_a.name, 2, str(revenue_a)),
        ("BBB01", office_b.name, 1, str(from_b.cost_total)),
    ]
    # The office report's shape, key for key.
    office_body = client.get("/api/v1/offices/AAA01/reports/costs/").json()
    assert set(body) == set(office_body)

    response = client.get("/api/v1/reports/costs/?group_by=destination&format=csv")
    assert response["Content-Type"].startswith("text/csv")
    assert "cost-report-network-" in response["Content-Disposition"]
    lines = response.content.decode().splitlines()
    assert lines[1].startswith("total,network,Whole network,3,")
    assert lines[2].startswith("destination,CCC01,")


def test_an_office_report_cannot_be_grouped_by_office(client_for, manager_a, office_a):
    response = client_for(manager_a).get("/api/v1/offices/AAA01/reports/costs/?group_by=office")
    assert response.status_code == 400


def test_the_network_report_is_for_hq_only(client_for, manager_a, office_a):
    response = client_for(manager_a).get("/api/v1/reports/costs/")
    assert response.status_code == 403
    assert response.json()["error"]["message"] == "The network's cost report is for HQ."


@pytest.mark.parametrize(("group_by", "queries"), [("day", 4), ("office", 5)])
def test_the_network_report_costs_a_fixed_number_of_queries(
    group_by, queries, client_for, hq, office_a, office_b, tariff, django_assert_num_queries
):
    for origin in (office_a, office_b, office_a):
        register_package(origin=origin, destination=office_b)
    client = client_for(hq)
    client.get("/api/v1/reports/costs/")
    # session, user (a superuser: HQ without asking for groups or memberships), throttle
    # read + write, the report (one pass), and for offices their names.
    with django_assert_num_queries(queries):
        assert client.get(f"/api/v1/reports/costs/?group_by={group_by}").status_code == 200


def test_cost_report_json_and_csv(client_for, manager_a, office_a, office_c, tariff):
    package = register_package(origin=office_a, destination=office_c)
    client = client_for(manager_a)
    today = timezone.now().date().isoformat()
    response = client.get(f"/api/v1/offices/AAA01/reports/costs/?from={today}&to={today}&group_by=destination")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["totals"] == {
        "packages": 1,
        "revenue": str(package.cost_total),
        "average_cost": str(package.cost_total),
        "returns": 0,
        "return_fees": "0.00",
    }
    assert body["rows"][0]["key"] == "CCC01"

    response = client.get(f"/api/v1/offices/AAA01/reports/costs/?from={today}&to={today}&group_by=service&format=csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    # The same file as the admin's download (shipments.reports.write_csv), with the asked breakdown.
    assert rows[0] == [
        "breakdown", "key", "label", "packages", "revenue", "average_cost", "currency", "returns", "return_fees"
    ]  # fmt: skip
    assert rows[1][:5] == ["total", "AAA01", office_a.name, "1", str(package.cost_total)]
    assert rows[2:] == [
        ["service", "standard", "Standard", "1", str(package.cost_total), str(package.cost_total), "USD", "0", "0.00"]
    ]
    assert Charge.objects.count() == 1


def test_cost_report_bad_input_is_400_in_json_even_when_csv_was_asked(client_for, manager_a, office_a):
    client = client_for(manager_a)
    for query in (
        "from=2025-02-30",
        "from=2025-03-01&to=2025-02-01",
        "group_by=colour",
        "from=2020-01-01&to=2025-01-01",
    ):
        response = client.get(f"/api/v1/offices/AAA01/reports/costs/?{query}&format=csv")
        assert response["Content-Type"].startswith("application/json")
        assert_error(response, 400)


def test_report_refuses_clerks_of_the_office(client_for, clerk_a):
    error = assert_error(client_for(clerk_a).get("/api/v1/offices/AAA01/reports/costs/"), 403)
    assert "managers" in error["message"]


@pytest.mark.parametrize(
    "query",
    ["to=0001-01-01", "from=9999-12-31", "from=0001-01-01&to=0001-01-02", "to=9999-12-31&from=9999-12-30"],
)
def test_cost_report_far_off_dates_are_400(query, client_for, manager_a):
    assert_error(client_for(manager_a).get(f"/api/v1/offices/AAA01/reports/costs/?{query}"), 400)
