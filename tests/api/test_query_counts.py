"""Lists cost a fixed number of queries, whatever the page size: no query per row.

Per request: authentication (a Bearer token: one query for the user, with the
HQ check folded in), the user's memberships (scoping), the throttle counter
(one atomic upsert, api.throttling), and the page itself.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shipments.services import package_record_event
from tests.factories import register_package
from tests.helpers import api_url_names
from webhooks.services import subscription_create

LIST_URLS = {
    "api-package-list": "/api/v1/packages/?page_size={size}",
    "api-office-packages": "/api/v1/offices/AAA01/packages/?direction=sent&page_size={size}",
    "api-office-list": "/api/v1/offices/?page_size={size}",
    "api-bag-list": "/api/v1/bags/?page_size={size}",
    "api-discrepancy-list": "/api/v1/discrepancies/?page_size={size}",
    "api-webhook-list": "/api/v1/webhooks/?page_size={size}",
    "api-till-list": "/api/v1/tills/?page_size={size}",
    "api-remittance-list": "/api/v1/remittances/?office=AAA01&page_size={size}",
}
# Who asks: a clerk of office A, or HQ for what only HQ may see, or A's manager for its COD remittances.
ASKED_BY = {"api-webhook-list": "hq", "api-remittance-list": "manager_a"}
# With a Bearer token. The office list of parcels also looks up the office (404 vs 403);
# the bag list reads the bags' parcels in one more.
EXPECTED = {
    "api-package-list": 4,
    "api-office-packages": 5,
    "api-office-list": 4,
    "api-bag-list": 5,
    "api-discrepancy-list": 4,
    "api-webhook-list": 4,
    "api-till-list": 4,
    "api-remittance-list": 5,  # and the office (404 vs 403)
}
# Rows on a page of 100: 105 packages sent from A; 6 offices (A, B, C and three more);
# 3 bags from A to C, each checked with its one parcel missing.
LARGE_PAGE_ROWS = {
    "api-package-list": 100,
    "api-office-packages": 100,
    "api-office-list": 6,
    "api-bag-list": 3,
    "api-discrepancy-list": 3,
    "api-webhook-list": 3,
    "api-till-list": 3,
    "api-remittance-list": 3,
}


@pytest.fixture
def many_packages(office_a, office_b, office_c, tariff, clerk_a):
    from tests.factories import OfficeFactory

    for number in range(3):
        OfficeFactory(code=f"EXT0{number}")
    for _ in range(105):
        package = register_package(origin=office_a, destination=office_c)
        package_record_event(package=package, status="accepted", office=office_a)
    for _ in range(3):
        _checked_bag(office_a, office_c)
    for number in range(3):  # partners' subscriptions, on literal public addresses (no DNS)
        subscription_create(url=f"https://93.184.216.{34 + number}/hooks", origin_offices=[office_a])
    _money(office_a, office_c, clerk_a)


def _money(origin, destination, clerk):
    """Three cashed-up tills of clerk_a at A, and three COD amounts collected for A's senders (counter/)."""
    from counter.tills import till_close, till_open
    from tests.counter.conftest import cod_collected
    from tests.factories import UserFactory

    for _ in range(3):
        till_close(actor=clerk, till=till_open(actor=clerk, office=origin, opening_float="10.00"), counted="10.00")
    collector = UserFactory(username="hq_collector", is_superuser=True)
    for _ in range(3):
        cod_collected(origin, destination, collector)


def _checked_bag(origin, destination):
    """A bag checked at its destination with its one parcel missing: a bag and an open discrepancy."""
    from dispatches.movements import check_bag, dispatch_bags, receive_bag
    from dispatches.services import bag_add_parcel, bag_close, bag_open

    bag = bag_open(actor=None, origin_office=origin, destination_office=destination, category="C")
    bag_add_parcel(actor=None, bag=bag, package=register_package(origin=origin, destination=destination, accept=True))
    bag = bag_close(actor=None, bag=bag, weight_kg="1.0", seal="S")
    dispatch_bags(actor=None, bags=[bag])
    receive_bag(actor=None, bag=bag)
    check_bag(actor=None, bag=bag, found=[])


def _count(client, url, **headers):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, headers=headers)
    assert response.status_code == 200, response.content
    return len(queries), response


def test_every_list_endpoint_is_measured():
    lists = {name for name in api_url_names() if name.endswith("-list") or name == "api-office-packages"}
    assert lists == set(LIST_URLS)


@pytest.mark.parametrize("endpoint", sorted(LIST_URLS))
def test_list_queries_do_not_grow_with_the_page(
    endpoint, cognito_settings, clerk_a, manager_a, hq, many_packages, api_client
):
    token = cognito_settings["tokens_for"](ASKED_BY.get(endpoint, clerk_a.username))["access"]
    auth = {"Authorization": f"Bearer {token}"}
    api_client.get("/api/v1/offices/", headers=auth)  # warm the JWKS cache
    small, small_response = _count(api_client, LIST_URLS[endpoint].format(size=1), **auth)
    large, large_response = _count(api_client, LIST_URLS[endpoint].format(size=100), **auth)
    assert len(small_response.json()["results"]) == 1
    assert len(large_response.json()["results"]) == LARGE_PAGE_ROWS[endpoint]
    assert small == large == EXPECTED[endpoint]


@pytest.mark.parametrize("endpoint", sorted(LIST_URLS))
def test_list_queries_with_a_session_are_fixed_too(endpoint, client_for, hq, many_packages):
    client = client_for(hq)
    small, small_response = _count(client, LIST_URLS[endpoint].format(size=1))
    large, large_response = _count(client, LIST_URLS[endpoint].format(size=100))
    assert len(small_response.json()["results"]) == 1
    assert len(large_response.json()["results"]) == LARGE_PAGE_ROWS[endpoint]
    assert small == large


def test_detail_queries_do_not_grow_with_the_timeline(client_for, clerk_a, office_a, office_c, tariff):
    short = register_package(origin=office_a, destination=office_c)
    long = register_package(origin=office_a, destination=office_c)
    package_record_event(package=long, status="accepted", office=office_a)
    package_record_event(package=long, status="in_transit")
    package_record_event(package=long, status="arrived", office=office_c)
    client = client_for(clerk_a)
    small, short_response = _count(client, f"/api/v1/packages/{short.tracking_number}/")
    large, long_response = _count(client, f"/api/v1/packages/{long.tracking_number}/")
    assert (len(short_response.json()["events"]), len(long_response.json()["events"])) == (1, 4)
    assert small == large


def test_public_tracking_queries(api_client, package_a, django_assert_num_queries):
    # package with its places, its events with their offices, the throttle counter
    with django_assert_num_queries(3):
        assert api_client.get(f"/api/v1/track/{package_a.tracking_number}/").status_code == 200
