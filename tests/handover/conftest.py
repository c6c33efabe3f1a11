"""Handover fixtures: the proofs' files in a folder of the test's own (or in
moto's S3 over HTTP: ``proof_bucket`` in tests/conftest.py), and parcels
waiting to be handed over."""

from decimal import Decimal

import pytest

from shipments.services import package_record_event
from tests.factories import party, register_package


@pytest.fixture(autouse=True)
def proof_folder(tmp_path, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "proofs": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}},
    }
    return tmp_path


def walk_to(package, *steps):
    for status, office in steps:
        package_record_event(package=package, status=status, office=office)
    package.refresh_from_db()
    return package


@pytest.fixture
def waiting(net):
    """C→B, ready for pickup at B (clerk_b's office); its receiver asked for SMS."""
    package = register_package(
        origin=net.c, destination=net.b, sender=party("Carla Cruz"), receiver=party("Rita Receiver", notify_sms=True)
    )
    return walk_to(package, ("accepted", net.c), ("in_transit", net.c), ("arrived", net.b), ("ready_for_pickup", net.b))


def valuable(net, **receiver):
    """C→B worth 900, ready for pickup at B."""
    package = register_package(
        origin=net.c,
        destination=net.b,
        declared_value=Decimal("900"),
        receiver=party("Vera Valuable", **receiver),
    )
    return walk_to(package, ("accepted", net.c), ("in_transit", net.c), ("arrived", net.b), ("ready_for_pickup", net.b))
