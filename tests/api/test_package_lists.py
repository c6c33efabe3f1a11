"""The package lists as the frontend reads them: filters, cursor pages, an
office's incoming and outgoing parcels; a malformed filter is a 400, never a 500."""

from datetime import timedelta

import pytest
from django.utils import timezone

from shipments.services import package_record_event
from tests.factories import party, register_package
from tests.helpers import assert_error


def listed_numbers(client, url) -> set[str]:
    """The tracking numbers on one page of a package list."""
    response = client.get(url)
    assert response.status_code == 200, response.content
    return {row["tracking_number"] for row in response.json()["results"]}


def test_list_filters(client_for, hq, office_a, office_b, office_c, tariff):
    old = register_package(origin=office_a, destination=office_b, registered_at=timezone.now() - timedelta(days=10))
    express = register_package(origin=office_b, destination=office_c, service="express")
    accepted = register_package(
        origin=office_a, destination=office_c, receiver=party("Zed Zebra", phone="+1 212 555 0177")
    )
    package_record_event(package=accepted, status="accepted", office=office_a)
    client = client_for(hq)

    def numbers(query):
        return listed_numbers(client, f"/api/v1/packages/?{query}")

    assert numbers("service=express") == {express.tracking_number}
    assert numbers("status=accepted") == {accepted.tracking_number}
    assert numbers("origin_office=aaa01") == {old.tracking_number, accepted.tracking_number}
    assert numbers("destination_office=BBB01") == {old.tracking_number}
    assert_error(client.get("/api/v1/packages/?destination_office=NOPE1"), 400)  # tests/api/test_filter_refusals.py
    assert numbers("origin_office=AAA01&current_office=BBB01") == set()
    assert numbers("current_office=BBB01") == {express.tracking_number}
    yesterday = (timezone.now() - timedelta(days=1)).date().isoformat()
    assert numbers(f"created_before={yesterday}") == {old.tracking_number}
    assert numbers(f"created_after={yesterday}") == {express.tracking_number, accepted.tracking_number}
    assert numbers("search=zebra") == {accepted.tracking_number}
    assert numbers("search=nobody by this name") == set()
    assert numbers("search=%2B1 212 555 0177") == {accepted.tracking_number}  # a phone number: exact
    assert numbers("search=%2B1 212 555 01") == set()
    assert numbers(f"search={express.tracking_number.lower()}") == {express.tracking_number}
    assert_error(client.get("/api/v1/packages/?status=flying"), 400)
    assert_error(client.get("/api/v1/packages/?created_after=yesterday"), 400)


def test_cursor_pagination_walks_every_package_once(client_for, hq, office_a, office_c, tariff):
    created = {register_package(origin=office_a, destination=office_c).tracking_number for _ in range(5)}
    client = client_for(hq)
    seen, url = [], "/api/v1/packages/?page_size=2"
    while url:
        body = client.get(url).json()
        assert set(body) == {"next", "previous", "results"}
        seen += [row["tracking_number"] for row in body["results"]]
        url = body["next"]
    assert sorted(seen) == sorted(created)


def test_page_size_is_at_most_200(client_for, hq, office_a, office_c, tariff, monkeypatch):
    from api.pagination import MAX_PAGE_SIZE, NewestFirstCursorPagination

    assert MAX_PAGE_SIZE == NewestFirstCursorPagination.max_page_size == 200  # as the README says
    # A cap of 2 instead of 200, so that three packages fill a page.
    monkeypatch.setattr(NewestFirstCursorPagination, "max_page_size", 2)
    for _ in range(3):
        register_package(origin=office_a, destination=office_c)
    response = client_for(hq).get("/api/v1/packages/?page_size=2")
    assert response.status_code == 200
    assert len(response.json()["results"]) == 2
    assert response.json()["next"]
    assert_error(client_for(hq).get("/api/v1/packages/?page_size=3"), 400)  # over the cap: refused, not cut


def test_a_forged_cursor_is_400_not_500(client_for, hq, db):
    import base64

    for raw in (b"p=not-a-date", b"o=-1", b"r=x"):
        cursor = base64.b64encode(raw).decode()
        assert_error(client_for(hq).get(f"/api/v1/packages/?cursor={cursor}"), 400)


def test_office_packages_by_direction(client_for, clerk_a, office_a, office_b, office_c, tariff):
    sent = register_package(origin=office_a, destination=office_c, accept=True)
    registered_only = register_package(origin=office_a, destination=office_c)  # not handed over: not on hand
    incoming = register_package(origin=office_b, destination=office_a)
    delivered = register_package(origin=office_b, destination=office_a)
    for status in ("accepted", "out_for_delivery"):
        package_record_event(package=delivered, status=status, office=office_b)
    package_record_event(package=delivered, status="delivered", office=office_b, received_by="R")
    client = client_for(clerk_a)

    def numbers(direction):
        return listed_numbers(client, f"/api/v1/offices/AAA01/packages/?direction={direction}")

    assert numbers("sent") == {sent.tracking_number, registered_only.tracking_number}
    assert numbers("incoming") == {incoming.tracking_number}
    assert numbers("on_hand") == {sent.tracking_number}
    assert_error(client.get("/api/v1/offices/AAA01/packages/"), 400)
    assert_error(client.get("/api/v1/offices/AAA01/packages/?direction=sideways"), 400)
    assert_error(client.get("/api/v1/offices/NOPE/packages/?direction=sent"), 404)


# --- offices, quotes, reports -------------------------------------------------------


@pytest.mark.parametrize("query", ["created_before=9999-12-31", "created_after=0001-01-01", "created_after=9999-12-31"])
def test_extreme_date_filters_do_not_crash(query, client_for, hq, package_a):
    assert client_for(hq).get(f"/api/v1/packages/?{query}").status_code == 200
