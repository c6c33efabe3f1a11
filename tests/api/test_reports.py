"""The cost report endpoints: an office's (managers and HQ) and the whole network's (HQ)."""

import pytest

from tests.factories import register_package


# One query fewer since the throttle counts in one upsert of its own (api_throttlewindow).
@pytest.mark.parametrize(("group_by", "queries"), [("day", 7), ("destination", 8)])
def test_an_offices_report_costs_a_fixed_number_of_queries(
    group_by, queries, client_for, manager_a, office_a, office_b, tariff, django_assert_num_queries
):
    for _ in range(3):
        register_package(origin=office_a, destination=office_b)
    client = client_for(manager_a)
    client.get("/api/v1/offices/AAA01/reports/costs/")
    # session, user, HQ group, memberships, throttle read + write, the office, the
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
