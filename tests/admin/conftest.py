"""A small network for the admin tests: offices A and B (and C), their clerks
and managers, HQ, and packages that touch A, B or both."""

from types import SimpleNamespace

import pytest

from offices.models import Membership
from shipments.models import Service
from tests.factories import OfficeFactory, TariffFactory, UserFactory, clerk_at, party, register_package


@pytest.fixture
def net(db):
    a = OfficeFactory(code="AAA01", name="Office A")
    b = OfficeFactory(code="BBB01", name="Office B")
    c = OfficeFactory(code="CCC01", name="Office C")
    for service in Service.values:
        TariffFactory(service=service)
    clerk_a = clerk_at(a, username="clerk_a")
    clerk_b = clerk_at(b, username="clerk_b")
    manager_a = clerk_at(a, username="manager_a", role=Membership.Role.MANAGER)
    hq = UserFactory(username="hq", is_superuser=True)
    return SimpleNamespace(
        a=a,
        b=b,
        c=c,
        clerk_a=clerk_a,
        clerk_b=clerk_b,
        manager_a=manager_a,
        hq=hq,
        a_to_c=register_package(origin=a, destination=c, actor=clerk_a, sender=party("Alice Avery")),
        b_to_c=register_package(origin=b, destination=c, actor=clerk_b, sender=party("Bruno Bianchi")),
        c_to_b=register_package(origin=c, destination=b, sender=party("Carla Cruz")),
    )
