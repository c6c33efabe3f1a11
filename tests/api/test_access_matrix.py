"""Broken object-level authorization, tested exhaustively: every endpoint under
/api/v1/ (read from the URL conf, so a new endpoint without a row here fails),
every role, objects of office A and of office B."""

import pytest
import yaml

from shipments.models import Package
from tests.api.access_world import (
    OFFICES,
    ROLES,
    SEES,
    TODAY,
    accepted_return,
    at_destination,
    everyone,
    handed_over_at,
    hq_only,
    make_bag,
    make_webhook,
    managers,
    money,
    open_bag_parcel,
    own,
    parcel,
    staff,
    waiting_at,
)
from tests.helpers import api_url_names

MATRIX = {
    "api-track": ("get", lambda o: f"/api/v1/track/{o['package'].tracking_number}/", None, everyone(200)),
    "api-office-list": ("get", lambda o: "/api/v1/offices/", None, staff(200)),
    "api-office-detail": ("get", lambda o: f"/api/v1/offices/{o['office'].code}/", None, staff(200)),
    "api-package-list": ("get", lambda o: f"/api/v1/packages/?origin_office={o['office'].code}", None, staff(200)),
    "api-package-list:post": (
        "post",
        lambda o: "/api/v1/packages/",
        lambda o: parcel(o["office"].code),
        own(201, 403),
    ),
    "api-package-detail": ("get", lambda o: f"/api/v1/packages/{o['package'].tracking_number}/", None, own(200, 404)),
    "api-package-label-zpl": (
        "get",
        lambda o: f"/api/v1/packages/{o['package'].tracking_number}/label.zpl",
        None,
        own(200, 404),
    ),
    # Many labels at once: another office's number is refused by its position (400), as an unknown one.
    "api-labels-zpl": (
        "post",
        lambda o: "/api/v1/labels.zpl",
        lambda o: {"tracking_numbers": [o["package"].tracking_number]},
        own(200, 400),
    ),
    "api-package-events": (
        "post",
        lambda o: f"/api/v1/packages/{o['package'].tracking_number}/events/",
        lambda o: {"status": "accepted"},
        own(201, 404),
    ),
    # The proof of a parcel A (or B) handed over at its own office; photos of one waiting there.
    "api-package-proof": ("get", lambda o: f"/api/v1/packages/{o['handed_over']()}/proof/", None, own(200, 404)),
    "api-package-proof-uploads": (
        "post",
        lambda o: f"/api/v1/packages/{o['waiting']()}/proof-uploads/",
        lambda o: {"content_type": "image/jpeg"},
        own(201, 404),
    ),
    "api-package-return": ("post", accepted_return, lambda o: {"reason": "damaged"}, own(201, 404)),
    "api-office-packages": (
        "get",
        lambda o: f"/api/v1/offices/{o['office'].code}/packages/?direction=sent",
        None,
        own(200, 403),
    ),
    "api-office-cost-report": (
        "get",
        lambda o: f"/api/v1/offices/{o['office'].code}/reports/costs/",
        None,
        {
            "anonymous": {"A": 401, "B": 401},
            "outsider": {"A": 403, "B": 403},
            "clerk_a": {"A": 403, "B": 403},
            "clerk_b": {"A": 403, "B": 403},
            "manager_a": {"A": 200, "B": 403},
            "hq": {"A": 200, "B": 200},
            "hq_member": {"A": 200, "B": 200},
        },
    ),
    # The whole network's report: HQ only, whatever the office.
    "api-network-cost-report": (
        "get",
        lambda o: "/api/v1/reports/costs/",
        None,
        {
            "anonymous": {"A": 401, "B": 401},
            "outsider": {"A": 403, "B": 403},
            "clerk_a": {"A": 403, "B": 403},
            "clerk_b": {"A": 403, "B": 403},
            "manager_a": {"A": 403, "B": 403},
            "hq": {"A": 200, "B": 200},
            "hq_member": {"A": 200, "B": 200},
        },
    ),
    # The on-time report of an office: its managers and HQ, as its cost report.
    "api-on-time-report": (
        "get",
        lambda o: f"/api/v1/reports/on-time/?office={o['office'].code}",
        None,
        {
            "anonymous": {"A": 401, "B": 401},
            "outsider": {"A": 403, "B": 403},
            "clerk_a": {"A": 403, "B": 403},
            "clerk_b": {"A": 403, "B": 403},
            "manager_a": {"A": 200, "B": 403},
            "hq": {"A": 200, "B": 200},
            "hq_member": {"A": 200, "B": 200},
        },
    ),
    "api-quote": (
        "post",
        lambda o: "/api/v1/quotes/",
        lambda o: {key: value for key, value in parcel(o["office"].code).items() if key not in ("sender", "receiver")},
        staff(200),
    ),
    # Bags and dispatches: A's go from A to C, B's from B to C (dispatches/).
    "api-bag-list": ("get", lambda o: f"/api/v1/bags/?office={o['office'].code}", None, staff(200)),
    "api-bag-list:post": (
        "post",
        lambda o: "/api/v1/bags/",
        lambda o: {"origin_office": o["office"].code, "destination_office": "CCC01", "category": "C"},
        own(201, 403),
    ),
    "api-bag-detail": ("get", lambda o: f"/api/v1/bags/{o['bag']('closed').identifier}/", None, own(200, 404)),
    "api-bag-parcels": (
        "post",
        lambda o: f"/api/v1/bags/{o['bag']('open').pk}/parcels/",
        lambda o: {"tracking_numbers": [o["package"].tracking_number]},
        own(200, 404),
    ),
    "api-bag-parcel-remove": ("delete", open_bag_parcel, None, own(204, 404)),
    "api-bag-close": (
        "post",
        lambda o: f"/api/v1/bags/{o['bag']('open').pk}/close/",
        lambda o: {"weight_kg": "2.5", "seal": "S-9"},
        own(200, 404),
    ),
    # The origin's clerk scanning the bag at their own office is told where it is going (409).
    "api-bag-receive": (
        "post",
        lambda o: f"/api/v1/bags/{o['bag']('dispatched').identifier}/receive/",
        None,
        at_destination(200, 409),
    ),
    "api-bag-check": (
        "post",
        lambda o: f"/api/v1/bags/{o['bag']('received').identifier}/check/",
        lambda o: {"found": [], "weight_kg": "1.0"},
        at_destination(200, 403),
    ),
    "api-dispatch-create": (
        "post",
        lambda o: "/api/v1/dispatches/",
        lambda o: {"bags": [o["bag"]("closed").identifier]},
        own(201, 404),
    ),
    "api-dispatch-detail": (
        "get",
        lambda o: f"/api/v1/dispatches/{o['bag']('closed').identifier[:20]}/",
        None,
        own(200, 404),
    ),
    "api-dispatch-csv": (
        "get",
        lambda o: f"/api/v1/dispatches/{o['bag']('closed').identifier[:20]}/list.csv",
        None,
        own(200, 404),
    ),
    "api-discrepancy-list": ("get", lambda o: "/api/v1/discrepancies/", None, staff(200)),
    # Partner webhooks (webhooks/): HQ's only.
    "api-webhook-list": ("get", lambda o: "/api/v1/webhooks/", None, hq_only(200)),
    "api-webhook-list:post": (
        "post",
        lambda o: "/api/v1/webhooks/",
        lambda o: {"url": "https://93.184.216.34/in", "origin_offices": [o["office"].code]},
        hq_only(201),
    ),
    "api-webhook-detail": ("get", lambda o: f"/api/v1/webhooks/{make_webhook().pk}/", None, hq_only(200)),
    "api-webhook-detail:patch": (
        "patch",
        lambda o: f"/api/v1/webhooks/{make_webhook().pk}/",
        lambda o: {"description": "Renamed"},
        hq_only(200),
    ),
    "api-webhook-detail:delete": ("delete", lambda o: f"/api/v1/webhooks/{make_webhook().pk}/", None, hq_only(204)),
    "api-webhook-deliveries": (
        "get",
        lambda o: f"/api/v1/webhooks/{make_webhook().pk}/deliveries/",
        None,
        hq_only(200),
    ),
    "api-webhook-redeliver": (
        "post",
        lambda o: f"/api/v1/webhooks/{make_webhook().pk}/redeliver/",
        lambda o: {"since": "2026-01-01T00:00:00Z"},
        hq_only(200),
    ),
    # A subscription that is off: the test event waits (tests/webhooks/test_api.py sends one for real).
    "api-webhook-test": (
        "post",
        lambda o: f"/api/v1/webhooks/{make_webhook(active=False).pk}/test/",
        None,
        hq_only(201),
    ),
    "api-webhook-rotate": (
        "post",
        lambda o: f"/api/v1/webhooks/{make_webhook().pk}/rotate-secret/",
        None,
        hq_only(200),
    ),
    # Money at the counter (counter/api): A's parcels are registered at A, B's at B.
    "api-package-payments": (
        "get",
        lambda o: f"/api/v1/packages/{o['package'].tracking_number}/payments/",
        None,
        own(200, 404),
    ),
    "api-package-payments:post": (
        "post",
        lambda o: f"/api/v1/packages/{o['unpaid']().tracking_number}/payments/",
        lambda o: {"method": "prepaid", "reference": "PP-1"},
        own(201, 404),
    ),
    "api-till-list": ("get", lambda o: "/api/v1/tills/?state=open", None, staff(200)),
    "api-till-list:post": (
        "post",
        lambda o: "/api/v1/tills/",
        lambda o: {"office": o["office"].code, "float": "100.00"},
        own(201, 403),
    ),
    "api-till-close": (
        "post",
        lambda o: f"/api/v1/tills/{o['till']().pk}/close/",
        lambda o: {"counted": "0.00"},
        own(200, 404),
    ),
    "api-office-day": ("get", lambda o: f"/api/v1/offices/{o['office'].code}/days/{TODAY}/", None, managers(200)),
    "api-office-day-close": (
        "post",
        lambda o: f"/api/v1/offices/{o['office'].code}/days/{TODAY}/close/",
        None,
        managers(200),
    ),
    "api-network-day": ("get", lambda o: f"/api/v1/days/{TODAY}/", None, hq_only(200)),
    "api-remittance-list": ("get", lambda o: f"/api/v1/remittances/?office={o['office'].code}", None, managers(200)),
    # A clerk of the origin sees the parcel but pays nothing out (403); a stranger does not see it (404).
    "api-remittance-pay": (
        "post",
        lambda o: f"/api/v1/remittances/{o['cod']().pk}/pay/",
        lambda o: {"bank_reference": "BANK-1"},
        own(201, 404) | {"clerk_a": {"A": 403, "B": 404}, "clerk_b": {"A": 404, "B": 403}},
    ),
    # DEBUG is off in tests, as in production: the documentation is for staff.
    "api-schema": ("get", lambda o: "/api/v1/schema/", None, staff(200)),
    "api-docs": ("get", lambda o: "/api/v1/docs/", None, staff(200)),
}


def test_every_api_endpoint_is_in_the_matrix():
    assert api_url_names() == {name.split(":")[0] for name in MATRIX}


@pytest.fixture
def world(
    office_a,
    office_b,
    office_c,
    package_a,
    package_b,
    clerk_a,
    clerk_b,
    manager_a,
    hq,
    hq_member,
    outsider,
    proof_bucket,
):
    return {
        "users": {
            "anonymous": None,
            "outsider": outsider,
            "clerk_a": clerk_a,
            "clerk_b": clerk_b,
            "manager_a": manager_a,
            "hq": hq,
            "hq_member": hq_member,
        },
        **{
            name: {
                "office": office,
                "package": package,
                "bag": lambda state, office=office: make_bag(office, office_c, state),
                "waiting": lambda office=office: waiting_at(office),
                "handed_over": lambda office=office: handed_over_at(office),
                **money(office, office_c, clerk, hq),
            }
            for name, office, package, clerk in (
                ("A", office_a, package_a, clerk_a),
                ("B", office_b, package_b, clerk_b),
            )
        },
    }


@pytest.mark.parametrize("office", OFFICES)
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", sorted(MATRIX))
def test_access(endpoint, role, office, world, client_for):
    method, url, body, expected = MATRIX[endpoint]
    objects = world[office]
    client = client_for(world["users"][role])
    kwargs = {"format": "json"} if method in ("post", "patch") else {}
    response = getattr(client, method)(url(objects), body(objects) if body else None, **kwargs)
    assert response.status_code == expected[role][office], response.content[:500]
    # Whatever the answer, it shows nothing of the packages the role may not see.
    for unseen in set(OFFICES) - SEES[role]:
        assert world[unseen]["package"].sender_name not in response.content.decode()
    # The Swagger UI is an HTML page for people, errors included; everything else answers in the error shape.
    if response.status_code >= 400 and endpoint != "api-docs":
        # The schema endpoint answers in YAML unless asked for JSON; JSON is YAML too.
        assert set(yaml.safe_load(response.content)["error"]) == {"code", "message", "details"}


@pytest.mark.parametrize("role", ["clerk_a", "manager_a"])
def test_lists_show_only_packages_of_ones_offices(role, world, client_for):
    client = client_for(world["users"][role])
    listed = {row["tracking_number"] for row in client.get("/api/v1/packages/?page_size=200").json()["results"]}
    assert listed == {world["A"]["package"].tracking_number}
    # Filtering by the other office's code does not reveal its packages.
    response = client.get("/api/v1/packages/?origin_office=BBB01")
    assert response.json()["results"] == []
    # Nor does searching for its tracking number.
    response = client.get(f"/api/v1/packages/?search={world['B']['package'].tracking_number}")
    assert response.json()["results"] == []


def test_hq_lists_every_package(world, client_for):
    listed = {
        row["tracking_number"] for row in client_for(world["users"]["hq"]).get("/api/v1/packages/").json()["results"]
    }
    assert listed == {world["A"]["package"].tracking_number, world["B"]["package"].tracking_number}


def test_clerk_cannot_record_an_event_at_another_office(world, client_for):
    package = world["A"]["package"]
    response = client_for(world["users"]["clerk_a"]).post(
        f"/api/v1/packages/{package.tracking_number}/events/", {"status": "accepted", "office": "BBB01"}, format="json"
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "office_not_allowed"
    package.refresh_from_db()
    assert package.status == "created"
    assert Package.objects.filter(pk=package.pk, events__status="accepted").count() == 0
