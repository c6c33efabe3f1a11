"""Amazon Cognito bearer tokens for the REST API.

The frontend sends ``Authorization: Bearer <token>`` with a user-pool access
or ID token. We verify it ourselves (RS256 against the pool's JWKS, exact
issuer, expiry, token use, app client) rather than with an API Gateway
authorizer, which would guard every path including the admin and public
tracking. The token only says who the user is; what they may do comes from
their office memberships in our database.

HQ's rights also need a second factor where ``TWO_FACTOR_REQUIRED_FOR_HQ``
(production): an ID token whose ``amr`` claim lists ``mfa`` (Cognito reports
the methods a sign-in completed there, e.g. ``["pwd", "otp", "mfa"]``) proves
it. Access tokens carry no ``amr``, so they never do: an HQ account with one
has its memberships' rights only (``offices.access.is_hq``). See
docs/deploy.md, "HQ's second factor".
"""

import logging
import threading
import time

import jwt
from django.conf import settings
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from offices import access

logger = logging.getLogger(__name__)

# One PyJWKClient per JWKS URL and process: its key cache then survives warm
# Lambda invocations, and nothing touches the network at import time.
_jwks_clients: dict[str, jwt.PyJWKClient] = {}
_jwks_lock = threading.Lock()
_last_refresh: dict[str, float] = {}
JWKS_MIN_REFRESH_SECONDS = 60


def cognito_issuer() -> str:
    return f"https://cognito-idp.{settings.COGNITO_REGION}.amazonaws.com/{settings.COGNITO_USER_POOL_ID}"


def jwks_url() -> str:
    return settings.COGNITO_JWKS_URL or f"{cognito_issuer()}/.well-known/jwks.json"


def jwks_client() -> jwt.PyJWKClient:
    url = jwks_url()
    client = _jwks_clients.get(url)
    if client is None:
        with _jwks_lock:
            client = _jwks_clients.get(url)
            if client is None:
                client = jwt.PyJWKClient(
                    url,
                    cache_keys=True,
                    lifespan=3600,
                    timeout=settings.COGNITO_JWKS_TIMEOUT_SECONDS,
                )
                _jwks_clients[url] = client
    return client


def _signing_key(kid) -> jwt.PyJWK:
    """The pool's key with this id. An unknown id re-reads the JWKS (Cognito may
    have rotated its keys), but at most once a minute: otherwise every forged
    token with a made-up kid would cost a network round trip."""
    client = jwks_client()
    key = client.match_kid(client.get_signing_keys(), kid) if isinstance(kid, str) else None
    if key is None and isinstance(kid, str):
        url = jwks_url()
        now = time.monotonic()
        if now - _last_refresh.get(url, float("-inf")) >= JWKS_MIN_REFRESH_SECONDS:
            _last_refresh[url] = now
            key = client.match_kid(client.get_signing_keys(refresh=True), kid)
    if key is None:
        raise jwt.PyJWKClientError(f"No key {kid!r} in the JWKS")
    return key


class InvalidToken(exceptions.AuthenticationFailed):
    default_code = "invalid_token"


def verify_cognito_token(token: str) -> dict:
    """The claims of a valid token from our user pool and app client.

    Raises InvalidToken (401) for anything else; never lets a decoding error
    escape as a 500.
    """
    if not settings.COGNITO_USER_POOL_ID or not settings.COGNITO_APP_CLIENT_ID:
        raise InvalidToken("Token sign-in is not configured on this server; sign in to the back-office instead.")
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        raise InvalidToken("The bearer token is not a well-formed JWT.") from None
    # Checked before any key lookup: "none" and HS256 (signed with the public
    # key as a shared secret) are classic forgeries.
    if header.get("alg") != "RS256":
        raise InvalidToken("The bearer token must be signed with RS256.")
    try:
        signing_key = _signing_key(header.get("kid"))
    except jwt.PyJWKClientConnectionError:
        logger.warning("Cognito JWKS endpoint %s did not answer", jwks_url())
        raise InvalidToken("The token could not be verified right now; please try again.") from None
    except jwt.PyJWTError:
        raise InvalidToken("The bearer token was not signed by a key of our user pool.") from None
    try:
        claims = jwt.decode(
            token,
            signing_key.key,
            algorithms=["RS256"],
            issuer=cognito_issuer(),
            # The audience is checked below: ID tokens carry it in `aud`,
            # access tokens in `client_id`.
            options={"require": ["exp", "iss", "token_use"], "verify_aud": False},
        )
    except jwt.ExpiredSignatureError:
        raise InvalidToken("The bearer token has expired; sign in again.") from None
    except jwt.InvalidIssuerError:
        raise InvalidToken("The bearer token was issued by another user pool.") from None
    except jwt.PyJWTError:
        raise InvalidToken("The bearer token is not valid.") from None

    token_use = claims.get("token_use")
    if token_use == "access":  # noqa: S105 (a claim's value, not a password)
        client_id, username = claims.get("client_id"), claims.get("username")
    elif token_use == "id":  # noqa: S105 (a claim's value, not a password)
        client_id, username = claims.get("aud"), claims.get("cognito:username")
    else:
        raise InvalidToken("Use a Cognito access or ID token.")
    if client_id != settings.COGNITO_APP_CLIENT_ID:
        raise InvalidToken("The bearer token was issued to another app.")
    if not isinstance(username, str) or not username:
        raise InvalidToken("The bearer token names no user.")
    claims["_username"] = username
    return claims


def proves_second_factor(claims: dict) -> bool:
    """Whether a verified token says its sign-in included a second factor:
    an ID token whose ``amr`` (authentication methods) lists ``mfa``."""
    methods = claims.get("amr")
    return claims.get("token_use") == "id" and isinstance(methods, list) and "mfa" in methods  # noqa: S105


class CognitoTokenAuthentication(BaseAuthentication):
    """``Authorization: Bearer <Cognito token>`` → the Django user with the same username."""

    keyword = "bearer"

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword.encode():
            return None  # Not ours: let session authentication try.
        if len(parts) != 2:
            raise InvalidToken("Send the header as: Authorization: Bearer <token>.")
        try:
            token = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise InvalidToken("The bearer token is not a well-formed JWT.") from None
        claims = verify_cognito_token(token)
        username = claims["_username"]
        user = access.user_for_sign_in(username)
        if user is None:
            # The identity is proven, but nobody here set this person up: 403, not 401.
            raise exceptions.PermissionDenied(
                f"Your sign-in is valid, but there is no back-office user “{username}”. Ask HQ to add you to an office."
            )
        if not user.is_active:
            raise exceptions.PermissionDenied(f"The back-office user “{username}” is disabled.")
        access.note_second_factor(user, verified=proves_second_factor(claims))
        return user, claims

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


class CognitoTokenScheme(OpenApiAuthenticationExtension):
    target_class = CognitoTokenAuthentication
    name = "cognitoToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": "An Amazon Cognito user-pool access or ID token.",
        }
