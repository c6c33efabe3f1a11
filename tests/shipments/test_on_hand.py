"""On hand means physically at the office now (docs/domain.md): every status
checked, through the API's office list and the admin's "On hand at" filter,
which share one rule (shipments.selectors.on_hand_at); and incoming, the same
way, through the API's ``direction=incoming`` and the admin's "Incoming to my
office" (shipments.selectors.incoming_to)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from shipments.services import package_record_event
from shipments.statuses import Status
from tests.factories import register_package
from tests.helpers import login

# How each status is reached for a parcel from A to B: (status, office) steps.
JOURNEYS = {
    "created": [],
    "accepted": [("accepted", "A")],
    "in_transit": [("accepted", "A"), ("in_transit", "A")],
    "arrived": [("accepted", "A"), ("in_transit", "A"), ("arrived", "B")],
    "out_for_delivery": [("accepted", "A"), ("in_transit", "A"), ("arrived", "B"), ("out_for_delivery", "B")],
    "delivery_failed": [
        ("accepted", "A"),
        ("in_transit", "A"),
        ("arrived", "B"),
        ("out_for_delivery", "B"),
        ("delivery_failed", "B"),
    ],
    "ready_for_pickup": [("accepted", "A"), ("in_transit", "A"), ("arrived", "B"), ("ready_for_pickup", "B")],
    "delayed": [("accepted", "A"), ("delayed", "A")],
    "delivered": [
        ("accepted", "A"),
        ("in_transit", "A"),
        ("arrived", "B"),
        ("ready_for_pickup", "B"),
        ("delivered", "B"),
    ],
    "return_started": [("accepted", "A"), ("in_transit", "A"), ("arrived", "B"), ("return_started", "B")],
    "returned": [("accepted", "A"), ("returned", "A")],
    "cancelled": [("cancelled", "A")],
    "lost": [("accepted", "A"), ("lost", "A")],
}
FINAL = {"delivered", "returned", "cancelled", "lost"}
ON_HAND = {
    "accepted": "A",
    "arrived": "B",
    "delivery_failed": "B",
    "ready_for_pickup": "B",
    "delayed": "A",
    "return_started": "B",
}


@pytest.fixture
def by_status(office_a, office_b, tariff):
    offices = {"A": office_a, "B": office_b}
    packages = {}
    for status, steps in JOURNEYS.items():
        when = timezone.now() - timedelta(days=1)
        package = register_package(origin=office_a, destination=office_b, registered_at=when)
        for step, office in steps:
            when += timedelta(minutes=5)
            package_record_event(
                package=package,
                status=step,
                office=offices[office],
                occurred_at=when,
                reason="other" if step in ("delayed", "delivery_failed", "lost", "return_started") else "",
                received_by="Rita" if step in ("delivered", "returned") else "",
            )
        assert package.status == status
        packages[status] = package
    return packages


def test_every_status_is_on_hand_or_not_as_the_domain_says(by_status, client_for, hq, office_a, office_b):
    assert set(JOURNEYS) == set(Status.values)
    client = client_for(hq)
    for code, office in (("A", office_a), ("B", office_b)):
        response = client.get(f"/api/v1/offices/{office.code}/packages/?direction=on_hand")
        listed = {row["tracking_number"] for row in response.json()["results"]}
        expected = {by_status[status].tracking_number for status, where in ON_HAND.items() if where == code}
        assert listed == expected, code

        page = login(hq).get(reverse("admin:shipments_package_changelist"), {"current_office": office.code})
        shown = {package.tracking_number for package in page.context["cl"].result_list}
        assert shown == expected, code
        assert "On hand at" in page.content.decode() or "on hand at" in page.content.decode()


def test_incoming_to_my_office_in_the_admin_is_the_apis_direction_incoming(by_status, client_for, office_b):
    from tests.factories import clerk_at

    clerk = clerk_at(office_b, username="clerk.b")
    listed = client_for(clerk).get(f"/api/v1/offices/{office_b.code}/packages/?direction=incoming").json()["results"]
    # A parcel going back to its sender is not coming to its destination any more.
    expected = {by_status[status].tracking_number for status in JOURNEYS if status not in FINAL | {"return_started"}}
    assert {row["tracking_number"] for row in listed} == expected

    client = login(clerk)
    page = client.get(reverse("admin:shipments_package_changelist")).content.decode()
    assert f'href="?incoming={office_b.code}"' in page
    assert f"Incoming to {office_b.code}" in page
    response = client.get(reverse("admin:shipments_package_changelist"), {"incoming": office_b.code})
    assert {package.tracking_number for package in response.context["cl"].result_list} == expected
