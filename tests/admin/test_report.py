"""The managers' cost report page and its CSV."""

import csv
import io
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from shipments.reports import cost_report
from shipments.services import package_record_event
from tests.factories import register_package
from tests.helpers import login

REPORT = reverse("admin:shipments_package_report", args=["AAA01"])


def test_report_totals_and_breakdowns_match_the_charges(net):
    express = register_package(origin=net.a, destination=net.b, service="express")
    cancelled = register_package(origin=net.a, destination=net.b)
    package_record_event(package=cancelled, status="cancelled", office=net.a)
    response = login(net.manager_a).get(REPORT)
    report = response.context["report"]
    page = response.content.decode()
    assert report.packages == 2  # the cancelled one is refunded and counts for nothing
    assert report.revenue == net.a_to_c.cost_total + express.cost_total
    assert 'id="total_packages">2<' in page
    assert f"{report.revenue} USD" in page
    assert {row.key for row in report.rows["service"]} == {"standard", "express"}
    assert {row.key for row in report.rows["destination"]} == {"BBB01", "CCC01"}
    assert "<svg" in page
    assert 'class="bar"' in page


def test_csv_has_the_same_numbers(net):
    register_package(origin=net.a, destination=net.b, service="express")
    today = timezone.localdate()
    params = {"date_from": (today - timedelta(days=6)).isoformat(), "date_to": today.isoformat()}
    client = login(net.manager_a)
    page = client.get(REPORT, params)
    response = client.get(REPORT, {**params, "format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    report = cost_report(office=net.a, date_from=today - timedelta(days=6), date_to=today)
    assert rows[0]["breakdown"] == "total"
    assert (int(rows[0]["packages"]), rows[0]["revenue"]) == (report.packages, str(report.revenue))
    assert [(row["key"], row["revenue"]) for row in rows if row["breakdown"] == "service"] == [
        (row.key, str(row.revenue)) for row in report.rows["service"]
    ]
    assert len([row for row in rows if row["breakdown"] == "day"]) == len(report.rows["day"])
    assert page.context["csv_url"].endswith("format=csv")


def test_a_bad_range_is_a_form_error_not_a_server_error(net):
    client = login(net.manager_a)
    response = client.get(REPORT, {"date_from": "2026-05-01", "date_to": "2026-04-01"})
    assert response.status_code == 200
    assert "The end date is before the start date." in response.content.decode()
    response = client.get(REPORT, {"date_from": "soon", "date_to": "2026-04-01", "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")


def test_hq_picks_the_office(net):
    response = login(net.hq).get(reverse("admin:shipments_package_report_pick"))
    page = response.content.decode()
    for code in ("AAA01", "BBB01", "CCC01"):
        assert reverse("admin:shipments_package_report", args=[code]) in page


def test_an_offices_report_costs_a_fixed_number_of_queries(net, django_assert_num_queries):
    for _ in range(3):
        register_package(origin=net.a, destination=net.b, service="express")
    client = login(net.manager_a)
    client.get(REPORT)
    # session, user, memberships, HQ group, the office, the report (one pass), the
    # destinations' names, the auth app's permissions (sidebar) twice, the header's open till and
    # the offices of its day-close link (counter).
    with django_assert_num_queries(11):
        assert client.get(REPORT).status_code == 200


NETWORK = reverse("admin:shipments_package_report_network")


def test_hq_reads_the_whole_network_by_origin_office_with_its_csv(net):
    client = login(net.hq)
    assert NETWORK in client.get(reverse("admin:shipments_package_report_pick")).content.decode()
    assert NETWORK in client.get(reverse("admin:index")).content.decode()
    response = client.get(NETWORK)
    report = response.context["report"]
    assert report.is_network
    assert report.packages == 3
    assert [row.key for row in report.rows["office"]] == ["AAA01", "BBB01", "CCC01"]
    page = response.content.decode()
    assert "Revenue by origin office" in page
    assert 'id="by_office"' in page
    rows = list(csv.DictReader(io.StringIO(client.get(NETWORK, {"format": "csv"}).content.decode())))
    assert (rows[0]["breakdown"], rows[0]["key"], rows[0]["packages"]) == ("total", "network", "3")
    assert [row["key"] for row in rows if row["breakdown"] == "office"] == ["AAA01", "BBB01", "CCC01"]


def test_the_whole_network_is_hqs_only(net):
    assert login(net.manager_a).get(NETWORK).status_code == 403
    assert NETWORK not in login(net.manager_a).get(reverse("admin:index")).content.decode()
    picker = login(net.hq).get(reverse("admin:shipments_package_report_pick")).content.decode()
    assert 'id="network_report"' in picker
