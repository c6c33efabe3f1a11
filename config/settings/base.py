"""Settings shared by every environment. Everything that differs comes from the
environment (django-environ); see local.py, test.py and production.py."""

import copy
import ipaddress
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()

SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[])

INSTALLED_APPS = [
    # Django's admin with the back-office's admin site (offices.sign_in.BackOfficeAdminSite).
    "offices.apps.BackOfficeAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "corsheaders",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "api",
    # After api, whose collectstatic (refused inside Lambda) replaces this app's.
    "django.contrib.staticfiles",
    "offices",
    "shipments",
    "notifications",
    "dispatches",
    # After notifications: its receiver seals a collection code into the outbox rows notifications wrote.
    "handover",
    "imports",
    "webhooks",
    "counter",
]

MIDDLEWARE = [
    # Outermost: every log line of the request carries its id (api/logs.py).
    "api.logs.RequestIdMiddleware",
    # Then: delivers the notifications of a request's commits once, after the response is built.
    "notifications.middleware.DeliverNotificationsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # A null character in a path, query or form is a 400, before any view, and a
    # database that does not answer a 503 (api/middleware.py).
    "api.middleware.RefuseNullCharactersMiddleware",
    "api.middleware.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The frontend's origin may call /api/ from the browser (CORS_ALLOWED_ORIGINS below).
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "offices.sign_in.SessionIdleTimeoutMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # The admin in the clerk's office's time zone (offices/middleware.py).
    "offices.middleware.OfficeTimeZoneMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # Last: turns a lockout into its response (AXES_LOCKOUT_CALLABLE).
    "axes.middleware.AxesMiddleware",
]

# django-axes first: it refuses a locked-out sign-in before the password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
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
                # {% csp_nonce_attr %} on our inline styles and scripts, as the admin's templates do.
                "django.template.context_processors.csp",
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


def databases(app_url: str, migration_url: str = "") -> dict:
    """DATABASES with two aliases, as docs/database-roles.md sets them up.

    ``default`` is the application's role (DATABASE_URL): it reads and writes,
    but may only insert into and read the append-only record (tracking events,
    charges). ``migrations`` is the tables' owner (DATABASE_MIGRATION_URL), for
    ``manage.py migrate --database migrations`` and the other commands that
    change the schema. Without a migration URL both are the same role, as on a
    laptop.
    """
    default = database_settings(app_url)
    migrations = database_settings(migration_url) if migration_url else copy.deepcopy(default)
    # Used by commands run now and then, never kept.
    migrations["CONN_MAX_AGE"] = 0
    return {"default": default, "migrations": migrations}


DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


def content_security_policy(*, static_origin: str = "", media_origins: list[str] | None = None) -> dict:
    """The Content Security Policy of every page (Django's SECURE_CSP).

    Scripts, styles, images and fonts from our own origin (and the static files'
    host, S3 in production; images also from ``media_origins``, the proofs'
    private bucket), inline ones only with the request's nonce
    ({% csp_nonce_attr %}); data: images (Swagger UI's icons); requests to our
    own origin only; no plugins, no <base>, no framing, forms post to us only.
    Django's debug pages exempt themselves.
    https://docs.djangoproject.com/en/6.1/ref/csp/
    """
    files = [CSP.SELF, static_origin] if static_origin else [CSP.SELF]
    return {
        "default-src": [CSP.SELF],
        "script-src": [*files, CSP.NONCE],
        "style-src": [*files, CSP.NONCE],
        "img-src": [*files, "data:", *(media_origins or [])],
        "font-src": files,
        "connect-src": [CSP.SELF],
        "object-src": [CSP.NONE],
        "base-uri": [CSP.NONE],
        "form-action": [CSP.SELF],
        "frame-ancestors": [CSP.NONE],
    }


SECURE_CSP = content_security_policy()

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
# The site's own files (the icon); the apps' are found in their static/ folders.
STATICFILES_DIRS = [BASE_DIR / "static"]
# Where production's static files manifest (staticfiles.json) lives: in the package.
STATIC_MANIFEST_DIR = BASE_DIR / "config"

# The database cache table is shared by every Lambda container (a per-process
# memory cache would not be). Throttle counters have a table of their own
# (api.models.ThrottleWindow), counted atomically.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "django_cache",
    },
}

LOGIN_URL = "admin:login"
# Where sign-in goes when `next` is missing or refused (another host): the admin's
# home, not Django's default /accounts/profile/ (which this site does not have).
LOGIN_REDIRECT_URL = "admin:index"

# A back-office session ends when the browser closes and after a shift without
# use; using it moves the end ahead (offices.sign_in.SessionIdleTimeoutMiddleware
# saves it again at most every SESSION_REFRESH_SECONDS).
# https://docs.djangoproject.com/en/stable/topics/http/sessions/#browser-length-sessions-vs-persistent-sessions
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_AGE = int(env.float("SESSION_IDLE_HOURS", default=8) * 3600)
SESSION_REFRESH_SECONDS = 60

# Lockout after repeated failed sign-ins (django-axes), per user name and client
# address together: LOGIN_FAILURE_LIMIT failures lock that pair for
# LOGIN_LOCKOUT_MINUTES, and every try meanwhile starts the wait again.
# `manage.py axes_reset_username USERNAME` (or `axes_reset`) lifts it sooner.
# The address is REMOTE_ADDR, where Zappa puts API Gateway's sourceIp.
# https://django-axes.readthedocs.io/en/latest/4_configuration.html
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=60))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# And a ceiling per account over every address (offices/lockout.py): guesses spread over
# many addresses pause the account, briefly (an attacker can cause it), and HQ is told.
# Axes' own combined parameters would share the limit and the hour above.
LOGIN_ACCOUNT_FAILURE_LIMIT = env.int("LOGIN_ACCOUNT_FAILURE_LIMIT", default=20)
LOGIN_ACCOUNT_LOCKOUT_MINUTES = env.int("LOGIN_ACCOUNT_LOCKOUT_MINUTES", default=15)
AXES_HANDLER = "offices.lockout.AccountCeilingHandler"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "offices.sign_in.lockout_response"
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "otp_token"]
# HQ-only admin pages of our own (offices/admin_accounts.py) instead of axes' ones.
AXES_ENABLE_ADMIN = False
# No start-up banner on every manage.py command.
AXES_VERBOSE = False

# Two-factor sign-in (django-otp, TOTP authenticator apps): anyone with a device
# gives its code at the admin login; with TWO_FACTOR_REQUIRED_FOR_HQ (on in
# production) HQ cannot use the admin without one. `manage.py add_totp_device`
# enrols; the admin never shows a device's key.
# https://django-otp-official.readthedocs.io/en/stable/overview.html
TWO_FACTOR_REQUIRED_FOR_HQ = env.bool("TWO_FACTOR_REQUIRED_FOR_HQ", default=False)
OTP_TOTP_ISSUER = "Parcel back-office"
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# The network's country for tracking numbers (UPU S10, last two letters).
TRACKING_NUMBER_COUNTRY = env("TRACKING_NUMBER_COUNTRY", default="US")
# How a phone number typed without +country code is read when searching
# (a party's own number is read in its address's country).
PHONE_DEFAULT_REGION = env("PHONE_DEFAULT_REGION", default="US")
# The secret key of the permutation that turns sequence positions into serials
# (shipments.tracking_numbers), so the numbers next to a valid one are no better
# a guess than any other. Never change it once numbers are issued: another key
# draws other serials, which may repeat issued ones.
TRACKING_NUMBER_KEY = env("TRACKING_NUMBER_KEY", default="")
# The first day of the network: no registration or tracking event may be dated
# before it (shipments.rules.time_problems; the counter, the API and the imports).
NETWORK_START_DATE = date.fromisoformat(env("NETWORK_START_DATE", default="2000-01-01"))
# The currency all tariffs are priced in.
PRICING_CURRENCY = env("PRICING_CURRENCY", default="USD")
# Money at the counter (docs/domain.md): the defaults of an office without counter settings of its own.
COUNTER_UNPAID_ALLOWED = env.bool("COUNTER_UNPAID_ALLOWED", default=False)
COUNTER_VARIANCE_LIMIT = Decimal(env("COUNTER_VARIANCE_LIMIT", default="5.00"))
COD_LIMIT = Decimal(env("COD_LIMIT", default="1000.00"))

AWS_REGION = env("AWS_REGION", default="us-east-1")

# Notifications (notifications/): `aws` sends through SNS and SES, `log` only
# logs (make run). Endpoints come from the standard AWS environment
# (AWS_ENDPOINT_URL points boto3 at a test server).
NOTIFICATIONS_BACKEND = env("NOTIFICATIONS_BACKEND", default="log")
NOTIFICATIONS_TOPIC_ARN = env("NOTIFICATIONS_TOPIC_ARN", default="")
NOTIFICATIONS_FROM_EMAIL = env("NOTIFICATIONS_FROM_EMAIL", default="")
# Base of the links in messages (tracking page, unsubscribe).
PUBLIC_TRACKING_URL = env("PUBLIC_TRACKING_URL", default="http://127.0.0.1:8000")

# Partner webhooks (webhooks/, Standard Webhooks: https://www.standardwebhooks.com/).
# Endpoints must resolve to public addresses; WEBHOOK_ALLOWED_NETWORKS (comma-separated
# CIDRs, e.g. 10.20.0.0/16) lets an internal partner, or a test receiver on 127.0.0.1/32,
# through. http:// URLs are accepted only where WEBHOOK_REQUIRE_HTTPS is off (always on
# in production). Each call waits WEBHOOK_TIMEOUT_SECONDS for the connection and as long
# for the answer; WEBHOOK_SENDERS threads send a batch.
WEBHOOK_ALLOWED_NETWORKS = env.list("WEBHOOK_ALLOWED_NETWORKS", default=[])
for _network in WEBHOOK_ALLOWED_NETWORKS:
    try:
        ipaddress.ip_network(_network.strip(), strict=False)
    except ValueError as _error:
        raise ImproperlyConfigured(f"WEBHOOK_ALLOWED_NETWORKS: {_network} is not a CIDR network ({_error}).") from None
WEBHOOK_REQUIRE_HTTPS = env.bool("WEBHOOK_REQUIRE_HTTPS", default=False)
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=10.0)
WEBHOOK_SENDERS = env.int("WEBHOOK_SENDERS", default=8)
# The certificate authorities an https:// endpoint's certificate must come from: a PEM
# file (an internal partner's own CA); empty, the system's.
WEBHOOK_CA_BUNDLE = env("WEBHOOK_CA_BUNDLE", default="")

# Proofs of delivery (handover/): signatures and photos live in a private media
# bucket (AWS_MEDIA_BUCKET_NAME, never the static files' one) through
# django-storages; without one (a laptop, the tests) under .data/media. Staff get
# links that work for PROOF_LINK_SECONDS, issued after the access check.
# https://django-storages.readthedocs.io/en/latest/backends/amazon-S3.html
AWS_MEDIA_BUCKET_NAME = env("AWS_MEDIA_BUCKET_NAME", default="")
MEDIA_ROOT = BASE_DIR / ".data" / "media"
PROOF_LINK_SECONDS = 300


def proofs_storage(bucket: str, region: str) -> dict:
    """STORAGES["proofs"]: the private media bucket, or the filesystem without one."""
    if not bucket:
        return {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": MEDIA_ROOT}}
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "region_name": region,
            "signature_version": "s3v4",
            "default_acl": None,  # private: the bucket blocks public access
            "querystring_auth": True,
            "querystring_expire": PROOF_LINK_SECONDS,
            "file_overwrite": False,
        },
    }


STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "proofs": proofs_storage(AWS_MEDIA_BUCKET_NAME, AWS_REGION),
}

# A parcel declared at this value or more (or whose sender asked for it) is handed
# over only against a collection code sent to its receiver (handover/).
COLLECTION_CODE_MIN_VALUE = Decimal(env("COLLECTION_CODE_MIN_VALUE", default="500"))

# The REST API, its tokens, its schema and CORS: config/settings/api.py.
from .api import *  # noqa: E402, F403

LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "filters": {"refusals_without_traceback": {"()": "api.logs.RefusalsWithoutTraceback"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "pgserver": {"level": "WARNING"},
        # Django's own console handler would print every message a second time
        # through the root's (e.g. runserver's "Watching for file changes").
        "django": {"level": "INFO", "handlers": [], "propagate": True},
        # A refused page (403, 404) is one line, without the exception's traceback.
        "django.request": {"filters": ["refusals_without_traceback"]},
    },
}
