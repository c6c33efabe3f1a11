"""Fixtures of the API tests: two offices A and B with their people, a
package at each, and a moto Cognito server that issues real tokens."""

import socket

import boto3
import pytest
from django.contrib.auth.models import Group
from django.test import override_settings
from rest_framework.test import APIClient

from offices.access import HQ_GROUP
from offices.models import Membership
from tests.factories import OfficeFactory, UserFactory, clerk_at, register_package


@pytest.fixture
def office_c(db):
    """A third office neither A's nor B's people work at: packages go there."""
    return OfficeFactory(code="CCC01", name="Office C")


@pytest.fixture
def manager_a(office_a):
    return clerk_at(office_a, role=Membership.Role.MANAGER, username="manager_a")


@pytest.fixture
def hq_user(db):
    user = UserFactory(username="hq_person")
    user.groups.add(Group.objects.get_or_create(name=HQ_GROUP)[0])
    return user


@pytest.fixture
def outsider(db):
    """Signed in, but works at no office."""
    return UserFactory(username="outsider")


@pytest.fixture
def package_a(office_a, office_c, tariff):
    return register_package(origin=office_a, destination=office_c)


@pytest.fixture
def package_b(office_b, office_c, tariff):
    return register_package(origin=office_b, destination=office_c)


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
