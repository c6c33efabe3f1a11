"""A small network for bags: NYC01 → BOS01 (and MIA01 beyond it), their clerks,
and parcels accepted at NYC01."""

import io

import pytest
from django.core.management import CommandError, call_command

from offices.models import Membership
from shipments.models import Service
from tests.factories import OfficeFactory, TariffFactory, clerk_at, register_package


@pytest.fixture
def nyc(db):
    return OfficeFactory(code="NYC01", name="New York", exchange_code="USNYCA", time_zone="America/New_York")


@pytest.fixture
def bos(db):
    return OfficeFactory(code="BOS01", name="Boston", exchange_code="USBOSA", time_zone="America/New_York")


@pytest.fixture
def mia(db):
    return OfficeFactory(code="MIA01", name="Miami", exchange_code="USMIAA")


@pytest.fixture
def nyc_clerk(nyc):
    return clerk_at(nyc, username="clerk.nyc01")


@pytest.fixture
def bos_clerk(bos):
    return clerk_at(bos, username="clerk.bos01")


@pytest.fixture
def mia_clerk(mia):
    return clerk_at(mia, username="clerk.mia01", role=Membership.Role.MANAGER)


@pytest.fixture
def accepted(nyc, bos, db):
    """Parcels accepted at NYC01 for BOS01: accepted(service=..., destination=...) makes one."""
    for service in Service.values:
        TariffFactory(service=service)

    def make(*, destination=None, service=Service.STANDARD, accept=True, **overrides):
        return register_package(origin=nyc, destination=destination or bos, service=service, accept=accept, **overrides)

    return make


@pytest.fixture
def run_command():
    """Run a management command; (exit status, stdout, stderr), as in tests/imports."""

    def run(*args, **options):
        stdout, stderr = io.StringIO(), io.StringIO()
        try:
            call_command(*args, stdout=stdout, stderr=stderr, **options)
        except CommandError as error:
            return error.returncode, stdout.getvalue(), f"{stderr.getvalue()}{error}"
        return 0, stdout.getvalue(), stderr.getvalue()

    return run
