"""The fixtures of every test: one small network, the same for the admin and
the API tests, and the API's clients and Cognito.

Offices A, B and C; a clerk of A, a clerk of B, a manager of A, HQ twice
(``hq`` a superuser, ``hq_member`` in the HQ group), and a signed-in user who
works at no office; and three packages, each with its own sender so that a
page showing a foreign one is caught: A→C (``package_a``, registered by the
clerk of A), B→C (``package_b``, by the clerk of B) and C→B (``package_c``).
Fixtures are made only when a test asks for them; ``net`` asks for the whole
network."""

import socket
from decimal import Decimal
from types import SimpleNamespace

import boto3
import pytest
from django.contrib.auth.models import Group
from django.test import override_settings
from rest_framework.test import APIClient

from offices.access import HQ_GROUP
from offices.models import Membership
from shipments.models import Service
from tests.factories import (
    LocationFactory,
    OfficeFactory,
    TariffFactory,
    UserFactory,
    clerk_at,
    party,
    register_package,
)

# --- offices and tariffs ----------------------------------------------------------


@pytest.fixture
def office_a(db):
    return OfficeFactory(code="AAA01", name="Office A")


@pytest.fixture
def office_b(db):
    return OfficeFactory(code="BBB01", name="Office B")


@pytest.fixture
def office_c(db):
    """Neither A's nor B's people work here: their packages go here."""
    return OfficeFactory(code="CCC01", name="Office C")


@pytest.fixture
def tariff(db):
    """The standard service's tariff."""
    return TariffFactory()


@pytest.fixture
def tariffs(db):
    """The tariff of every service, by service."""
    return {service: TariffFactory(service=service) for service in Service.values}


# --- people --------------------------------------------------------------------------


@pytest.fixture
def clerk_a(office_a):
    return clerk_at(office_a, username="clerk_a")


@pytest.fixture
def clerk_b(office_b):
    return clerk_at(office_b, username="clerk_b")


@pytest.fixture
def manager_a(office_a):
    return clerk_at(office_a, role=Membership.Role.MANAGER, username="manager_a")


@pytest.fixture
def hq(db):
    """HQ by being a superuser (as the demo's ``hq``)."""
    return UserFactory(username="hq", is_superuser=True)


@pytest.fixture
def hq_member(db):
    """HQ by membership of the HQ group, without Django's superuser powers."""
    user = UserFactory(username="hq_member")
    user.groups.add(Group.objects.get_or_create(name=HQ_GROUP)[0])
    return user


@pytest.fixture
def outsider(db):
    """Signed in, but works at no office."""
    return UserFactory(username="outsider")


# --- packages ------------------------------------------------------------------------


@pytest.fixture
def package_a(office_a, office_c, clerk_a, tariff):
    return register_package(origin=office_a, destination=office_c, actor=clerk_a, sender=party("Alice Avery"))


@pytest.fixture
def package_b(office_b, office_c, clerk_b, tariff):
    return register_package(origin=office_b, destination=office_c, actor=clerk_b, sender=party("Bruno Bianchi"))


@pytest.fixture
def package_c(office_c, office_b, tariff):
    return register_package(origin=office_c, destination=office_b, sender=party("Carla Cruz"))


@pytest.fixture
def net(
    office_a, office_b, office_c, tariffs, clerk_a, clerk_b, manager_a, hq, package_a, package_b, package_c
) -> SimpleNamespace:
    """The whole network, for tests that use most of it."""
    return SimpleNamespace(
        a=office_a,
        b=office_b,
        c=office_c,
        clerk_a=clerk_a,
        clerk_b=clerk_b,
        manager_a=manager_a,
        hq=hq,
        a_to_c=package_a,
        b_to_c=package_b,
        c_to_b=package_c,
    )


# --- API clients and Cognito ------------------------------------------------------


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def client_for():
    """An API client signed in (by session) as the given user, or anonymous for None."""

    def make(user):
        client = APIClient()
        if user is not None:
            client.force_login(user)
        return client

    return make


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def moto_server():
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def proof_bucket(moto_server, monkeypatch, settings):
    """The proofs' private media bucket in moto's S3, over HTTP as production reaches S3."""
    from config.settings.base import proofs_storage

    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", moto_server)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    client = boto3.client("s3", endpoint_url=moto_server, region_name="us-east-1")
    name = f"proofs-{_free_port()}"
    client.create_bucket(Bucket=name)
    settings.STORAGES = {**settings.STORAGES, "proofs": proofs_storage(name, "us-east-1")}
    return {"name": name, "client": client}


@pytest.fixture(scope="session")
def cognito(moto_server):
    """A user pool with an app client and a user ``clerk_a``, over moto's HTTP API."""
    client = boto3.client(
        "cognito-idp",
        region_name="us-east-1",
        endpoint_url=moto_server,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    pool_id = client.create_user_pool(PoolName="parcels")["UserPool"]["Id"]
    app_client_id = client.create_user_pool_client(
        UserPoolId=pool_id, ClientName="frontend", ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"]
    )["UserPoolClient"]["ClientId"]
    other_client_id = client.create_user_pool_client(
        UserPoolId=pool_id, ClientName="another-app", ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"]
    )["UserPoolClient"]["ClientId"]

    def tokens_for(username: str, app_client: str = app_client_id) -> dict:
        try:
            client.admin_create_user(UserPoolId=pool_id, Username=username, MessageAction="SUPPRESS")
            client.admin_set_user_password(
                UserPoolId=pool_id, Username=username, Password="Sup3r-secret!", Permanent=True
            )
        except client.exceptions.UsernameExistsException:
            pass
        result = client.initiate_auth(
            ClientId=app_client,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": username, "PASSWORD": "Sup3r-secret!"},
        )["AuthenticationResult"]
        return {"access": result["AccessToken"], "id": result["IdToken"]}

    return {
        "endpoint": moto_server,
        "pool_id": pool_id,
        "client_id": app_client_id,
        "other_client_id": other_client_id,
        "region": "us-east-1",
        "tokens_for": tokens_for,
        "settings": {
            "COGNITO_USER_POOL_ID": pool_id,
            "COGNITO_APP_CLIENT_ID": app_client_id,
            "COGNITO_REGION": "us-east-1",
            "COGNITO_JWKS_URL": f"{moto_server}/{pool_id}/.well-known/jwks.json",
        },
    }


@pytest.fixture
def cognito_settings(cognito):
    with override_settings(**cognito["settings"]):
        yield cognito


# --- two offices an ocean apart, for distances and prices ---------------------------------


@pytest.fixture
def new_york(db):
    return OfficeFactory(
        code="NYC01", location=LocationFactory(latitude=Decimal("40.712800"), longitude=Decimal("-74.006000"))
    )


@pytest.fixture
def london(db):
    return OfficeFactory(
        code="LON01", location=LocationFactory(latitude=Decimal("51.507400"), longitude=Decimal("-0.127800"))
    )
