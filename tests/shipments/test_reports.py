from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from shipments.exceptions import ShipmentError
from shipments.reports import cost_report
from shipments.services import package_record_event
from tests.factories import OfficeFactory, TariffFactory, register_package


@pytest.mark.django_db
def test_report_sums_charges_by_service_destination_and_day_and_counts_refunds():
    origin, b, c = OfficeFactory(code="ORG01"), OfficeFactory(code="BBB01"), OfficeFactory(code="CCC01")
    TariffFactory(service="express", base_fee=Decimal("20.00"))
    yesterday = timezone.now() - timedelta(days=1)
    first = register_package(origin=origin, destination=b, registered_at=yesterday)
    second = register_package(origin=origin, destination=c, service="express")
    cancelled = register_package(origin=origin, destination=c)
    package_record_event(package=cancelled, status="cancelled")
    register_package(origin=b, destination=origin)  # another office's charge

    report = cost_report(office=origin, date_from=(yesterday - timedelta(days=1)).date(), date_to=timezone.now().date())

    assert report.packages == 2
    assert report.revenue == first.cost_total + second.cost_total
    assert report.average_cost == ((first.cost_total + second.cost_total) / 2).quantize(Decimal("0.01"))
    by_service = {row.key: (row.packages, row.revenue) for row in report.rows["service"]}
    assert by_service == {"standard": (1, first.cost_total), "express": (1, second.cost_total)}
    by_destination = {row.key: row.packages for row in report.rows["destination"]}
    assert by_destination == {"BBB01": 1, "CCC01": 1}
    assert sum(row.packages for row in report.rows["day"]) == 2


@pytest.mark.django_db
def test_report_refuses_backwards_and_overlong_ranges():
    office = OfficeFactory()
    today = timezone.now().date()
    with pytest.raises(ShipmentError, match="before the start"):
        cost_report(office=office, date_from=today, date_to=today - timedelta(days=1))
    with pytest.raises(ShipmentError, match="at most"):
        cost_report(office=office, date_from=today - timedelta(days=400), date_to=today)


@pytest.mark.django_db
def test_the_network_report_sums_every_office_in_one_pass(django_assert_num_queries):
    a = OfficeFactory(code="ORG01", time_zone="America/New_York")
    b = OfficeFactory(code="BBB01", time_zone="America/Los_Angeles")
    first = register_package(origin=a, destination=b)
    second = register_package(origin=b, destination=a, service="express")
    cancelled = register_package(origin=b, destination=a)
    package_record_event(package=cancelled, status="cancelled")
    today = timezone.now().date()  # UTC: the network's days

    with django_assert_num_queries(2):  # the charges, once; the offices' codes and names, once
        report = cost_report(office=None, date_from=today - timedelta(days=1), date_to=today)

    assert (report.key, report.label, report.time_zone) == ("network", "Whole network", "UTC")
    assert report.packages == 2
    assert report.revenue == first.cost_total + second.cost_total
    by_office = {row.key: (row.label, row.packages, row.revenue) for row in report.rows["office"]}
    assert by_office == {"BBB01": (b.name, 1, second.cost_total), "ORG01": (a.name, 1, first.cost_total)}
    assert {row.key: row.packages for row in report.rows["destination"]} == {"BBB01": 1, "ORG01": 1}
    assert {row.key for row in report.rows["service"]} == {"standard", "express"}
    assert sum(row.packages for row in report.rows["day"]) == 2
    # An office's report has no office breakdown.
    with pytest.raises(ShipmentError, match="Group by one of"):
        cost_report(office=a, date_from=today, date_to=today, group_by=("office",))


@pytest.mark.django_db
def test_a_cancellation_recorded_late_refunds_in_the_month_it_is_recorded_not_in_a_closed_one():
    """A clerk records today a cancellation that happened weeks ago: the event says when it
    happened, but the refund is dated today, so last month's report (closed) stays as it was."""
    origin, destination = OfficeFactory(code="ORG01"), OfficeFactory(code="DST01")
    two_months_ago = timezone.now() - timedelta(days=60)
    package = register_package(origin=origin, destination=destination, registered_at=two_months_ago)
    then = two_months_ago.date()
    closed_month = cost_report(office=None, date_from=then, date_to=then)
    assert closed_month.revenue == package.cost_total

    before = timezone.now()
    event = package_record_event(package=package, status="cancelled", occurred_at=two_months_ago + timedelta(hours=1))

    assert event.occurred_at == two_months_ago + timedelta(hours=1)
    refund = package.charges.get(kind="refund")
    assert refund.charged_at >= before
    again = cost_report(office=None, date_from=then, date_to=then)
    assert (again.revenue, again.packages) == (closed_month.revenue, closed_month.packages)
    today = cost_report(office=None, date_from=timezone.now().date(), date_to=timezone.now().date())
    assert today.revenue == -package.cost_total
