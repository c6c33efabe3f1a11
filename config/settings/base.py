"""Settings shared by every environment. Everything that differs comes from the
environment (django-environ); see local.py, test.py and production.py."""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()

SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "api",
    "offices",
    "shipments",
    "notifications",
    "imports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]


def database_settings(url: str) -> dict:
    """One DATABASES entry from a URL, with connection reuse that suits Lambda.

    CONN_MAX_AGE keeps the connection across warm invocations of one Lambda
    container; health checks drop it if Aurora closed it meanwhile.
    https://docs.djangoproject.com/en/stable/ref/databases/#persistent-connections
    """
    config = env.db_url_config(url)
    config["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    config["CONN_HEALTH_CHECKS"] = True
    return config


DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"

# The database cache table is shared by every Lambda container (a per-process
# memory cache would not be); throttling relies on that.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "django_cache",
    },
    # The API's throttle counters: the same table, written in one statement (api/cache.py).
    "throttle": {
        "BACKEND": "api.cache.UpsertDatabaseCache",
        "LOCATION": "django_cache",
    },
}

LOGIN_URL = "admin:login"

# The network's country for tracking numbers (UPU S10, last two letters).
TRACKING_NUMBER_COUNTRY = env("TRACKING_NUMBER_COUNTRY", default="US")
# How a phone number typed without +country code is read when searching
# (a party's own number is read in its address's country).
PHONE_DEFAULT_REGION = env("PHONE_DEFAULT_REGION", default="US")
# The currency all tariffs are priced in.
PRICING_CURRENCY = env("PRICING_CURRENCY", default="USD")

AWS_REGION = env("AWS_REGION", default="us-east-1")

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
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "EXCEPTION_HANDLER": "api.errors.api_exception_handler",
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
COGNITO_REGION = env("COGNITO_REGION", default=AWS_REGION)
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
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "pgserver": {"level": "WARNING"},
        # Django's own console handler would print every message a second time
        # through the root's (e.g. runserver's "Watching for file changes").
        "django": {"level": "INFO", "handlers": [], "propagate": True},
    },
}
