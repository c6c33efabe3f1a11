"""What the access matrix (test_access_matrix.py) is made of: the roles and
offices it tries, the expected answers per role (own, staff, HQ only, ...),
and the objects of office A or B an endpoint's URL needs, made on demand."""

from datetime import UTC, datetime

# HQ twice: a superuser, and a member of the HQ group.
ROLES = ["anonymous", "outsider", "clerk_a", "clerk_b", "manager_a", "hq", "hq_member"]
OFFICES = ["A", "B"]
# The offices whose packages each role may see.
SEES = {
    "anonymous": set(),
    "outsider": set(),
    "clerk_a": {"A"},
    "clerk_b": {"B"},
    "manager_a": {"A"},
    "hq": {"A", "B"},
    "hq_member": {"A", "B"},
}


def parcel(origin: str) -> dict:
    party = {"name": "Pat Customer", "address": {"line1": "1 Elm St", "city": "Springfield", "country": "US"}}
    return {
        "origin_office": origin,
        "destination_office": "CCC01",
        "service": "standard",
        "weight_grams": 1200,
        "length_cm": 20,
        "width_cm": 15,
        "height_cm": 10,
        "declared_value": "10.00",
        "sender": party,
        "receiver": party,
    }


# endpoint name -> (method, url for office A or B objects, body, expected status per role and office).
# "own" = 2xx for the office's own people and HQ; the rest spelled out.
def own(success: int, stranger: int) -> dict:
    return {
        "anonymous": {"A": 401, "B": 401},
        "outsider": {"A": 403, "B": 403},
        "clerk_a": {"A": success, "B": stranger},
        "clerk_b": {"A": stranger, "B": success},
        "manager_a": {"A": success, "B": stranger},
        "hq": {"A": success, "B": success},
        "hq_member": {"A": success, "B": success},
    }


def staff(success: int) -> dict:
    return own(success, success)


def everyone(success: int) -> dict:
    return {role: {"A": success, "B": success} for role in ROLES}


def at_destination(success: int, origin_staff: int) -> dict:
    """A bag from A (or B) to C: only C's people and HQ receive and check it; the
    origin's people see it (``origin_staff``: refused), strangers get 404."""
    return own(success, 404) | {
        "clerk_a": {"A": origin_staff, "B": 404},
        "clerk_b": {"A": 404, "B": origin_staff},
        "manager_a": {"A": origin_staff, "B": 404},
    }


def hq_only(success: int) -> dict:
    """HQ's alone, whatever the office: everyone else signed in is refused (403)."""
    refused = {"A": 403, "B": 403}
    return {
        "anonymous": {"A": 401, "B": 401},
        "outsider": refused,
        "clerk_a": refused,
        "clerk_b": refused,
        "manager_a": refused,
        "hq": {"A": success, "B": success},
        "hq_member": {"A": success, "B": success},
    }


def managers(success: int) -> dict:
    """An office's managers and HQ; its clerks are refused (403), as everyone else."""
    return {
        "anonymous": {"A": 401, "B": 401},
        "outsider": {"A": 403, "B": 403},
        "clerk_a": {"A": 403, "B": 403},
        "clerk_b": {"A": 403, "B": 403},
        "manager_a": {"A": success, "B": 403},
        "hq": {"A": success, "B": success},
        "hq_member": {"A": success, "B": success},
    }


def make_webhook(*, active: bool = True):
    """A subscription to a public address (a literal one: nothing to resolve; nothing is sent to it here)."""
    from webhooks.services import subscription_create

    return subscription_create(url="https://93.184.216.34/hooks", description="Partner", active=active)


def waiting_at(origin) -> str:
    """A parcel from ``origin`` to C, out for delivery from ``origin`` (the system's steps)."""
    from shipments.services import package_record_event
    from tests.factories import register_package

    package = register_package(origin=origin, destination=office_c_now(), accept=True)
    package_record_event(package=package, status="out_for_delivery", office=origin)
    return package.tracking_number


def handed_over_at(origin) -> str:
    from handover.rules import ProofInput
    from handover.services import package_hand_over
    from shipments.models import Package
    from tests.handover.images import png

    package = Package.objects.get(tracking_number=waiting_at(origin))
    proof = ProofInput(received_by="Pat Customer", relationship="addressee", signature_png=png())
    package_hand_over(package=package, proof=proof, actor=None)
    return package.tracking_number


def office_c_now():
    from offices.models import Office

    return Office.objects.get(code="CCC01")


TODAY = datetime.now(UTC).date().isoformat()  # the test offices keep UTC


def make_bag(origin, destination, state: str):
    """A bag from ``origin`` to ``destination`` holding one accepted parcel, brought to ``state`` by the system."""
    from dispatches.movements import dispatch_bags, receive_bag
    from dispatches.services import bag_add_parcel, bag_close, bag_open
    from tests.factories import register_package

    bag = bag_open(actor=None, origin_office=origin, destination_office=destination, category="C")
    bag_add_parcel(actor=None, bag=bag, package=register_package(origin=origin, destination=destination, accept=True))
    if state != "open":
        bag = bag_close(actor=None, bag=bag, weight_kg="1.0", seal="S-1")
    if state in ("dispatched", "received"):
        dispatch_bags(actor=None, bags=[bag])
    if state == "received":
        receive_bag(actor=None, bag=bag)
    return bag


def open_bag_parcel(o) -> str:
    bag = o["bag"]("open")
    return f"/api/v1/bags/{bag.pk}/parcels/{bag.items.get().package.tracking_number}/"


def accepted_return(o) -> str:
    """The return URL of the office's package, handed over first (a registered parcel cannot go back)."""
    from shipments.services import package_record_event

    package = o["package"]
    if package.status == "created":
        package_record_event(package=package, status="accepted")
    return f"/api/v1/packages/{package.tracking_number}/return/"


def money(office, destination, clerk, hq) -> dict:
    """The counter's objects of ``office``, made on demand (counter/)."""
    from counter.tills import till_open
    from tests.counter.conftest import cod_collected, counter_package

    return {
        "unpaid": lambda: counter_package(office, destination, clerk),
        "till": lambda: till_open(actor=clerk, office=office, opening_float="0.00"),
        "cod": lambda: cod_collected(office, destination, hq),
    }
