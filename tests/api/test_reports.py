"""The cost report endpoints: an office's (managers and HQ) and the whole network's (HQ)."""

import pytest

from tests.factories import register_package


@pytest.mark.parametrize(("group_by", "queries"), [("day", 8), ("destination", 9)])
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
