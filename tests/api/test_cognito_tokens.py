"""Cognito bearer tokens: real ones from moto's Cognito server over HTTP, and
forgeries. Every bad token is a 401 in the error shape, never a 500."""

import base64
import hashlib
import hmac
import json
import socket
import time

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.test import override_settings
from moto.utilities.utils import load_resource

from api import authentication
from tests.jwks_stub import JwksStub, jwks_of

PACKAGES = "/api/v1/packages/"


@pytest.fixture
def moto_private_key():
    """The key moto signs its tokens with (part of moto's published resources),
    so forged claims carry a signature that verifies."""
    return jwt.algorithms.RSAAlgorithm.from_jwk(json.dumps(load_resource("cognitoidp/resources/jwks-private.json")))


def _claims(cognito, **changes):
    now = int(time.time())
    claims = {
        "sub": "f00",
        "iss": f"https://cognito-idp.{cognito['region']}.amazonaws.com/{cognito['pool_id']}",
        "client_id": cognito["client_id"],
        "token_use": "access",
        "username": "clerk_a",
        "iat": now,
        "exp": now + 600,
    }
    claims.update(changes)
    return {key: value for key, value in claims.items() if value is not None}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unsigned(header: dict, claims: dict) -> str:
    return f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"


def _get(api_client, token):
    return api_client.get(PACKAGES, headers={"Authorization": f"Bearer {token}"})


def _assert_401(response):
    assert response.status_code == 401, response.content
    body = response.json()
    assert set(body["error"]) == {"code", "message", "details"}
    assert response["WWW-Authenticate"].startswith("Bearer")
    return body["error"]


@pytest.mark.parametrize("token_use", ["access", "id"])
def test_a_real_cognito_token_signs_in_the_user_with_the_same_username(
    token_use, cognito_settings, clerk_a, package_a, api_client
):
    token = cognito_settings["tokens_for"]("clerk_a")[token_use]
    response = _get(api_client, token)
    assert response.status_code == 200, response.content
    assert [row["tracking_number"] for row in response.json()["results"]] == [package_a.tracking_number]


def test_moto_puts_the_aws_issuer_in_its_tokens(cognito):
    claims = jwt.decode(cognito["tokens_for"]("clerk_a")["access"], options={"verify_signature": False})
    assert claims["iss"] == f"https://cognito-idp.us-east-1.amazonaws.com/{cognito['pool_id']}"


def test_writes_work_with_a_token_without_csrf(cognito_settings, clerk_a, package_a, api_client):
    token = cognito_settings["tokens_for"]("clerk_a")["access"]
    response = api_client.post(
        f"/api/v1/packages/{package_a.tracking_number}/events/",
        {"status": "accepted"},
        format="json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 201, response.content
    assert response.json()["recorded_by"] == "clerk_a"


def test_a_valid_token_of_someone_unknown_here_is_403_with_a_clear_message(cognito_settings, db, api_client):
    token = cognito_settings["tokens_for"]("not.in.django")["access"]
    response = _get(api_client, token)
    assert response.status_code == 403
    assert "no back-office user “not.in.django”" in response.json()["error"]["message"]


def test_a_known_user_without_an_office_is_403(cognito_settings, outsider, api_client):
    response = _get(api_client, cognito_settings["tokens_for"]("outsider")["access"])
    assert response.status_code == 403
    assert "does not work at any office" in response.json()["error"]["message"]


def test_a_token_issued_to_another_app_client_is_401(cognito_settings, clerk_a, api_client):
    tokens = cognito_settings["tokens_for"]("clerk_a", app_client=cognito_settings["other_client_id"])
    assert "another app" in _assert_401(_get(api_client, tokens["access"]))["message"]
    assert "another app" in _assert_401(_get(api_client, tokens["id"]))["message"]


def test_an_expired_token_is_401(cognito_settings, clerk_a, api_client, moto_private_key):
    claims = _claims(cognito_settings, iat=int(time.time()) - 7200, exp=int(time.time()) - 3600)
    token = jwt.encode(claims, moto_private_key, algorithm="RS256", headers={"kid": "dummy"})
    assert "expired" in _assert_401(_get(api_client, token))["message"]


def test_a_token_of_another_user_pool_is_401(cognito_settings, clerk_a, api_client, moto_private_key):
    claims = _claims(cognito_settings, iss="https://cognito-idp.us-east-1.amazonaws.com/us-east-1_someoneelse")
    token = jwt.encode(claims, moto_private_key, algorithm="RS256", headers={"kid": "dummy"})
    assert "another user pool" in _assert_401(_get(api_client, token))["message"]


@pytest.mark.parametrize(
    "changes",
    [
        {"token_use": "refresh"},
        {"token_use": None},
        {"exp": None},
        {"client_id": None},
        {"username": None},
        {"token_use": "id"},  # an ID token must carry the client in `aud`
    ],
    ids=["refresh-use", "no-token-use", "no-exp", "no-client", "no-username", "id-without-aud"],
)
def test_tokens_missing_what_we_check_are_401(changes, cognito_settings, clerk_a, api_client, moto_private_key):
    token = jwt.encode(
        _claims(cognito_settings, **changes), moto_private_key, algorithm="RS256", headers={"kid": "dummy"}
    )
    _assert_401(_get(api_client, token))


def test_alg_none_is_401(cognito_settings, clerk_a, api_client):
    token = _unsigned({"alg": "none", "kid": "dummy", "typ": "JWT"}, _claims(cognito_settings)) + "."
    assert "RS256" in _assert_401(_get(api_client, token))["message"]


def test_hs256_signed_with_the_public_key_is_401(cognito_settings, clerk_a, api_client):
    public_jwk = load_resource("cognitoidp/resources/jwks-public.json")["keys"][0]
    public_pem = jwt.algorithms.RSAAlgorithm.from_jwk(json.dumps(public_jwk)).public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    signing_input = _unsigned({"alg": "HS256", "kid": "dummy", "typ": "JWT"}, _claims(cognito_settings))
    signature = _b64(hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest())
    _assert_401(_get(api_client, f"{signing_input}.{signature}"))


def test_a_key_not_in_the_pools_jwks_is_401(cognito_settings, clerk_a, api_client):
    stranger_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    token = jwt.encode(_claims(cognito_settings), stranger_key, algorithm="RS256", headers={"kid": "not-ours"})
    assert "not signed by a key of our user pool" in _assert_401(_get(api_client, token))["message"]


def test_a_known_kid_with_a_signature_from_another_key_is_401(cognito_settings, clerk_a, api_client):
    stranger_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    token = jwt.encode(_claims(cognito_settings), stranger_key, algorithm="RS256", headers={"kid": "dummy"})
    _assert_401(_get(api_client, token))


@pytest.mark.parametrize(
    "header",
    ["Bearer", "Bearer not-a-jwt", "Bearer a.b.c", "Bearer one two", "Bearer ünïcode"],
    ids=["empty", "garbage", "bad-segments", "two-parts", "non-ascii"],
)
def test_malformed_bearer_headers_are_401(header, cognito_settings, clerk_a, api_client):
    response = api_client.get(PACKAGES, headers={"Authorization": header})
    _assert_401(response)


def test_no_credentials_is_401_with_a_bearer_challenge(db, api_client):
    error = _assert_401(api_client.get(PACKAGES))
    assert error["code"] == "not_authenticated"


def test_without_cognito_settings_tokens_are_refused_not_crashing(cognito, clerk_a, api_client):
    with override_settings(COGNITO_USER_POOL_ID="", COGNITO_APP_CLIENT_ID=""):
        error = _assert_401(_get(api_client, cognito["tokens_for"]("clerk_a")["access"]))
    assert "not configured" in error["message"]


def test_jwks_endpoint_down_fails_closed_and_fast(cognito, clerk_a, api_client):
    """A JWKS endpoint that accepts connections but never answers: 401 within the timeout."""
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    port = silent.getsockname()[1]
    try:
        unreachable = {
            **cognito["settings"],
            "COGNITO_JWKS_URL": f"http://127.0.0.1:{port}/jwks.json",
            "COGNITO_JWKS_TIMEOUT_SECONDS": 0.5,
        }
        with override_settings(**unreachable):
            token = cognito["tokens_for"]("clerk_a")["access"]
            started = time.monotonic()
            error = _assert_401(_get(api_client, token))
            elapsed = time.monotonic() - started
    finally:
        silent.close()
    assert "try again" in error["message"]
    assert elapsed < 3


def test_jwks_client_is_made_once_per_url_and_kept(cognito_settings, clerk_a, api_client):
    token = cognito_settings["tokens_for"]("clerk_a")["access"]
    assert _get(api_client, token).status_code == 200
    first = authentication.jwks_client()
    assert _get(api_client, token).status_code == 200
    assert authentication.jwks_client() is first


def test_made_up_key_ids_cannot_make_us_fetch_the_jwks_again_and_again(cognito, clerk_a, api_client):
    stranger_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwks = JwksStub(load_resource("cognitoidp/resources/jwks-public.json"))
    with jwks, override_settings(**{**cognito["settings"], "COGNITO_JWKS_URL": jwks.url}):
        for number in range(3):
            headers = {"kid": f"made-up-{number}"}
            forged = jwt.encode(_claims(cognito), stranger_key, algorithm="RS256", headers=headers)
            _assert_401(_get(api_client, forged))
        assert _get(api_client, cognito["tokens_for"]("clerk_a")["access"]).status_code == 200
    assert len(jwks.hits) == 2  # the first read, and one refresh for an unknown kid


def test_the_keys_come_from_the_configured_jwks_url(cognito, clerk_a, package_a, api_client):
    """Any JWKS endpoint will do, not only moto's (the API benchmark signs its own tokens this way)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwks = JwksStub(jwks_of(key.public_key(), kid="ours"))
    with jwks, override_settings(**{**cognito["settings"], "COGNITO_JWKS_URL": jwks.url}):
        token = jwt.encode(_claims(cognito), key, algorithm="RS256", headers={"kid": "ours"})
        response = _get(api_client, token)
    assert response.status_code == 200, response.content
    assert [row["tracking_number"] for row in response.json()["results"]] == [package_a.tracking_number]
    assert jwks.hits == ["/jwks.json"]
