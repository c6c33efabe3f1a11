"""REST API timings on the 1m database: a clerk's package list (page sizes 1
and 100, with a real RS256 bearer token verified against a local JWKS), and
the public tracking lookup. Throttling stays on (its counter write is part of
every request); only its rate is raised so the repeats are not refused."""

import time

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.jwks_stub import JwksStub, jwks_of

POOL = "us-east-1_bench"
APP_CLIENT = "bench-frontend"
CLERK = "clerk.nyc01"


def run(bench) -> dict:
    from django.db import connection
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext

    from shipments.models import Package

    bench.use("1m")
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwks = JwksStub(jwks_of(key.public_key(), kid="bench")).start()
    now = int(time.time())
    token = jwt.encode(
        {
            "iss": f"https://cognito-idp.us-east-1.amazonaws.com/{POOL}",
            "client_id": APP_CLIENT,
            "token_use": "access",
            "username": CLERK,
            "iat": now,
            "exp": now + 3600,
        },
        key,
        algorithm="RS256",
        headers={"kid": "bench"},
    )
    overrides = {
        "COGNITO_USER_POOL_ID": POOL,
        "COGNITO_APP_CLIENT_ID": APP_CLIENT,
        "COGNITO_REGION": "us-east-1",
        "COGNITO_JWKS_URL": jwks.url,
        "API_THROTTLE_RATES": {"user": "1000000/minute", "anonymous": "1000000/minute", "tracking": "1000000/minute"},
    }
    results = {}
    try:
        with override_settings(**overrides):
            client = Client(headers={"Authorization": f"Bearer {token}"})

            def page(size):
                response = client.get(f"/api/v1/packages/?page_size={size}")
                assert response.status_code == 200, response.content[:300]
                return response

            for size in (1, 100):
                page(size)  # warm: JWKS fetched once, connection open
                with CaptureQueriesContext(connection) as queries:
                    rows = len(page(size).json()["results"])
                assert rows == size
                results[f"api_list_queries_page_{size}"] = len(queries)
            results["api_list_ms_page_100"] = bench.timed_ms(lambda: page(100))

            # A delivered-or-travelling parcel with a real timeline.
            number = (
                Package.objects.filter(status__in=["delivered", "arrived", "in_transit"])
                .values_list("tracking_number", flat=True)
                .first()
            )
            public = Client()

            def track():
                response = public.get(f"/api/v1/track/{number}/")
                assert response.status_code == 200, response.content[:300]

            results["api_track_ms"] = bench.timed_ms(track)
    finally:
        jwks.stop()
    return results
