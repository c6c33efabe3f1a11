"""The REST API's settings (api/): Django REST framework, the throttles,
the Amazon Cognito tokens it accepts, the OpenAPI schema and CORS for the
frontend. base.py takes them all (``from .api import *``)."""

import environ

env = environ.Env()

# The REST API (api/): Cognito bearer tokens first (so an anonymous
# request gets 401 with a Bearer challenge), sessions for the browsable API.
# https://www.django-rest-framework.org/api-guide/settings/
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.CognitoTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.IsNetworkStaff"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.UserThrottle", "api.throttling.AnonymousThrottle"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.NewestFirstCursorPagination",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    # DRF's JSON parser, with JSON nested too deeply a 400 (api/parsers.py).
    "DEFAULT_PARSER_CLASSES": ["api.parsers.JSONParser"],
    "EXCEPTION_HANDLER": "api.exception_handler.api_exception_handler",
    "COERCE_DECIMAL_TO_STRING": True,
    # API Gateway puts the caller in REMOTE_ADDR (Zappa maps sourceIp there);
    # trusting X-Forwarded-For would let a client pick its own throttle key.
    "NUM_PROXIES": env.int("API_NUM_PROXIES", default=0),
}
# Requests per user (or per address for anonymous calls and public tracking).
# Read on every request (api/throttling.py), so tests can override them.
API_THROTTLE_RATES = {
    "user": env("API_THROTTLE_USER", default="600/minute"),
    "anonymous": env("API_THROTTLE_ANONYMOUS", default="60/minute"),
    "tracking": env("API_THROTTLE_TRACKING", default="30/minute"),
}

# Amazon Cognito user pool whose tokens the API accepts (api/authentication.py).
# https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-tokens-verifying-a-jwt.html
COGNITO_USER_POOL_ID = env("COGNITO_USER_POOL_ID", default="")
COGNITO_APP_CLIENT_ID = env("COGNITO_APP_CLIENT_ID", default="")
# The deployment's region unless set (AWS_REGION, as base.py reads it).
COGNITO_REGION = env("COGNITO_REGION", default=env("AWS_REGION", default="us-east-1"))
# Defaults to https://cognito-idp.{region}.amazonaws.com/{pool}/.well-known/jwks.json; tests point it at moto.
COGNITO_JWKS_URL = env("COGNITO_JWKS_URL", default="")
# Fail closed fast when the key endpoint does not answer (API Gateway cuts at ~30 s).
COGNITO_JWKS_TIMEOUT_SECONDS = env.float("COGNITO_JWKS_TIMEOUT_SECONDS", default=3.0)

SPECTACULAR_SETTINGS = {
    "TITLE": "Parcel network back-office API",
    "VERSION": "1.0.0",
    "DESCRIPTION": (
        "REST API of the parcel network back-office. Authenticate with an Amazon Cognito "
        "token (`Authorization: Bearer <token>`) or a back-office session. Errors always have the "
        'shape `{"error": {"code", "message", "details"}}`.'
    ),
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Anyone while DEBUG is on, staff only in production (api/permissions.py).
    "SERVE_PERMISSIONS": ["api.permissions.CanReadApiSchema"],
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI's JavaScript from our static files, not a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "PackageStatusEnum": "shipments.statuses.Status",
        "ServiceEnum": "shipments.models.Service",
        "ReasonEnum": "shipments.statuses.Reason",
        "BagStateEnum": "dispatches.models.Bag.State",
        "DispatchStateEnum": "dispatches.models.Dispatch.State",
        "WebhookMessageStateEnum": "webhooks.models.Message.State",
        "PaymentKindEnum": "counter.models.Payment.Kind",
        "PaymentMethodEnum": "counter.models.Method",
    },
}

# The frontend on another origin calls the API from the browser with a Cognito
# token in the Authorization header (no cookies): only /api/, only the origins
# listed (https://app.example.com, comma-separated), and the headers a page must read.
# https://github.com/adamchainz/django-cors-headers
CORS_ALLOWED_ORIGINS = env.list("DJANGO_CORS_ALLOWED_ORIGINS", default=[])
CORS_URLS_REGEX = r"^/api/"
CORS_ALLOW_CREDENTIALS = False
CORS_EXPOSE_HEADERS = ["X-Request-Id", "Retry-After", "Content-Disposition"]
CORS_PREFLIGHT_MAX_AGE = 600
