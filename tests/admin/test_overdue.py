"""The "overdue" list filter: past the expected delivery and not in a final status."""

from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from shipments.models import Package
from shipments.selectors import packages_overdue
from shipments.services import package_record_event
from tests.factories import party, register_package
from tests.helpers import login

CHANGELIST = reverse("admin:shipments_package_changelist")


def accepted_days_ago(net, days: int, name: str):
    """Accepted ``days`` ago at A; the standard tariff's 5 transit days make it due ``days - 5`` days ago."""
    when = timezone.now() - timedelta(days=days)
    package = register_package(origin=net.a, destination=net.b, registered_at=when, sender=party(name))
    package_record_event(package=package, status="accepted", office=net.a, occurred_at=when)
    return package


@pytest.fixture
def journeys(net):
    late = accepted_days_ago(net, 9, "Late Larry")
    delivered = accepted_days_ago(net, 9, "Delivered Dora")
    package_record_event(package=delivered, status="in_transit", office=net.a)
    package_record_event(package=delivered, status="arrived", office=net.b)
    package_record_event(package=delivered, status="out_for_delivery", office=net.b)
    package_record_event(package=delivered, status="delivered", office=net.b, received_by="Dora")
    on_time = accepted_days_ago(net, 2, "Early Ed")
    return {"late": late, "delivered": delivered, "on_time": on_time}


def test_the_filter_lists_packages_past_their_eta_and_not_final(net, journeys):
    client = login(net.hq)
    response = client.get(CHANGELIST, {"overdue": "yes"})
    assert list(response.context["cl"].result_list) == [journeys["late"]]
    page = response.content.decode()
    assert "By overdue" in page or "overdue" in page
    # Without the filter, every package is listed and only the late one is marked.
    page = client.get(CHANGELIST).content.decode()
    assert page.count('class="overdue"') == 1


def test_a_clerk_sees_only_their_offices_overdue_packages(net, journeys):
    assert list(login(net.clerk_b).get(CHANGELIST, {"overdue": "yes"}).context["cl"].result_list) == [
        journeys["late"]
    ]  # A→B: B's clerk waits for it
    late_elsewhere = register_package(origin=net.c, destination=net.c, registered_at=timezone.now() - timedelta(days=9))
    package_record_event(package=late_elsewhere, status="accepted", occurred_at=timezone.now() - timedelta(days=9))
    assert late_elsewhere not in login(net.clerk_a).get(CHANGELIST, {"overdue": "yes"}).context["cl"].result_list


def test_the_overdue_query_is_answered_by_the_open_eta_index(net, journeys):
    """At a million packages a scan would read them all; the partial index holds only open ones."""
    # Unordered: with the model's ordering a walk of package_created_idx avoids a sort, and on a
    # table this small the planner's choice between the two depended on its statistics of the moment.
    query = packages_overdue(Package.objects.all(), timezone.now()).order_by().values("pk")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = query.explain()
    assert "package_open_eta_idx" in plan
