"""HQ's second factor on every path: where TWO_FACTOR_REQUIRED_FOR_HQ (production),
an HQ account is HQ through the API only when its sign-in proved a second factor
(a Cognito ID token whose ``amr`` lists ``mfa``, or a session signed in with a
code); otherwise it has its memberships' rights and nothing more.

The tokens are signed here with a key of our own, served by a JWKS stub (moto's
Cognito puts no ``amr`` in its tokens)."""

import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from django.contrib.auth.models import Group
from django.test import override_settings
from django.urls import reverse
from rest_framework.test import APIClient

from offices.access import HQ_GROUP
from offices.services import totp_device_add
from tests.factories import clerk_at
from tests.helpers import totp_code
from tests.jwks_stub import JwksStub, jwks_of

POOL = "us-east-1_HqPool"
APP_CLIENT = "frontend-app-client"
NETWORK_REPORT = "/api/v1/reports/costs/"


@pytest.fixture(scope="module")
def signing_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def token_settings(signing_key):
    """Our pool and app client, its keys at a stub, and HQ's second factor required (production's setting)."""
    with (
        JwksStub(jwks_of(signing_key.public_key(), kid="ours")) as stub,
        override_settings(
            COGNITO_USER_POOL_ID=POOL,
            COGNITO_APP_CLIENT_ID=APP_CLIENT,
            COGNITO_REGION="us-east-1",
            COGNITO_JWKS_URL=stub.url,
            TWO_FACTOR_REQUIRED_FOR_HQ=True,
        ),
    ):
        yield


@pytest.fixture
def token_for(signing_key):
    """A token of our pool for ``username``: ``kind`` "access" or "id", with ``amr`` if given."""

    def make(username: str, kind: str, amr: list[str] | None = None) -> str:
        now = int(time.time())
        claims = {
            "sub": f"sub-{username}",
            "iss": f"https://cognito-idp.us-east-1.amazonaws.com/{POOL}",
            "token_use": kind,
            "iat": now,
            "exp": now + 600,
        }
        if kind == "access":
            claims |= {"client_id": APP_CLIENT, "username": username}
        else:
            claims |= {"aud": APP_CLIENT, "cognito:username": username, "auth_time": now}
        if amr is not None:
            claims["amr"] = amr
        return jwt.encode(claims, signing_key, algorithm="RS256", headers={"kid": "ours"})

    return make


@pytest.fixture
def hq_clerk(office_a):
    """In the HQ group, and a clerk of office A (so without HQ's rights they still have A's)."""
    user = clerk_at(office_a, username="hq_clerk")
    user.groups.add(Group.objects.get_or_create(name=HQ_GROUP)[0])
    return user


def bearer(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def cancel(client, package, office):
    return client.post(
        f"/api/v1/packages/{package.tracking_number}/events/",
        {"status": "cancelled", "office": office.code},
        format="json",
    )


def assert_only_office_a(client, package_a, package_b, office_b):
    """What a clerk of A (and nothing more) gets."""
    assert client.get(NETWORK_REPORT).status_code == 403
    assert client.get(f"/api/v1/packages/{package_a.tracking_number}/").status_code == 200
    # Every party's phone and address of another office: not visible.
    assert client.get(f"/api/v1/packages/{package_b.tracking_number}/").status_code == 404
    assert [row["tracking_number"] for row in client.get("/api/v1/packages/").json()["results"]] == [
        package_a.tracking_number
    ]
    assert cancel(client, package_b, office_b).status_code == 404
    package_b.refresh_from_db()
    assert package_b.status == "created"


def assert_hq(client, package_b, office_b):
    assert client.get(NETWORK_REPORT).status_code == 200
    assert client.get(f"/api/v1/packages/{package_b.tracking_number}/").json()["sender"]["phone"]
    assert cancel(client, package_b, office_b).status_code == 201
    package_b.refresh_from_db()
    assert package_b.status == "cancelled"


@pytest.mark.parametrize(
    ("kind", "amr"),
    [("access", None), ("access", ["pwd", "otp", "mfa"]), ("id", None), ("id", ["pwd"]), ("id", "mfa")],
    ids=["access", "access-claiming-mfa", "id-without-amr", "id-password-only", "amr-not-a-list"],
)
def test_an_hq_token_without_a_proven_second_factor_has_only_its_offices_rights(
    token_settings, token_for, hq_clerk, package_a, package_b, office_b, kind, amr
):
    assert_only_office_a(bearer(token_for("hq_clerk", kind, amr)), package_a, package_b, office_b)


def test_an_hq_id_token_whose_amr_says_mfa_has_hqs_rights(token_settings, token_for, hq_clerk, package_b, office_b):
    assert_hq(bearer(token_for("hq_clerk", "id", ["pwd", "otp", "mfa"])), package_b, office_b)


def test_an_hq_token_without_mfa_and_no_office_is_told_about_the_second_factor(
    token_settings, token_for, hq_member, package_b
):
    response = bearer(token_for("hq_member", "access")).get(NETWORK_REPORT)
    assert response.status_code == 403
    assert "HQ's rights need a second factor" in response.json()["error"]["message"]
    assert bearer(token_for("hq_member", "id", ["pwd", "otp", "mfa"])).get(NETWORK_REPORT).status_code == 200


def test_an_hq_session_signed_in_without_a_code_has_only_its_offices_rights_in_the_api(
    token_settings, hq_clerk, package_a, package_b, office_b
):
    unverified = APIClient()
    unverified.force_login(hq_clerk)
    assert_only_office_a(unverified, package_a, package_b, office_b)

    device = totp_device_add(actor=None, user=hq_clerk)
    verified = APIClient()
    response = verified.post(
        reverse("admin:login"),
        {"username": "hq_clerk", "password": "pass-for-tests", "otp_token": totp_code(device), "next": "/admin/"},
    )
    assert response.status_code == 302
    assert_hq(verified, package_b, office_b)


def test_where_two_factor_is_not_required_an_hq_token_keeps_hqs_rights(
    token_settings, token_for, settings, hq_clerk, package_b, office_b
):
    """The demo's setting (make run): the same for the admin and the API, HQ without a second factor."""
    settings.TWO_FACTOR_REQUIRED_FOR_HQ = False
    assert_hq(bearer(token_for("hq_clerk", "access")), package_b, office_b)
