import pytest

from tests.factories import OfficeFactory, TariffFactory, clerk_at


@pytest.fixture
def office_a(db):
    return OfficeFactory(code="AAA01", name="Office A")


@pytest.fixture
def office_b(db):
    return OfficeFactory(code="BBB01", name="Office B")


@pytest.fixture
def tariff(db):
    return TariffFactory()


@pytest.fixture
def clerk_a(office_a):
    return clerk_at(office_a, username="clerk_a")


@pytest.fixture
def clerk_b(office_b):
    return clerk_at(office_b, username="clerk_b")
