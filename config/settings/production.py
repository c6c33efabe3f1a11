"""Settings for AWS Lambda behind API Gateway (deployed by Zappa).

Every secret comes from the environment and there is no default: a missing one
stops the process at start-up (environ raises ImproperlyConfigured)."""

from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import FileSystemStorage

from .base import *  # noqa: F403
from .base import STATIC_MANIFEST_DIR, content_security_policy, databases, env, proofs_storage

DEBUG = False
SECRET_KEY = env("DJANGO_SECRET_KEY")
TRACKING_NUMBER_KEY = env("TRACKING_NUMBER_KEY")
# The stage's own API Gateway host (abc123.execute-api.us-east-1.amazonaws.com)
# or custom domain. A leading-dot entry over AWS's shared domains would also
# accept every other account's API hosts, so it is refused.
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
for _host in ALLOWED_HOSTS:
    if _host == "*" or (_host.startswith(".") and _host.rstrip(".").endswith("amazonaws.com")):
        raise ImproperlyConfigured(
            f"DJANGO_ALLOWED_HOSTS={_host} would accept any account's AWS host: name the stage's own "
            "API Gateway host (<api-id>.execute-api.<region>.amazonaws.com) or its custom domain."
        )
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
# The frontend's origins may read the API's answers (base.py); over HTTPS only.
for _origin in CORS_ALLOWED_ORIGINS:  # noqa: F405
    if not _origin.startswith("https://"):
        raise ImproperlyConfigured(
            f"DJANGO_CORS_ALLOWED_ORIGINS={_origin}: production's frontend origins are https://."
        )

# The application's role, and the tables' owner for migrations when given
# (docs/database-roles.md; the Lambda needs the owner's URL only to migrate).
DATABASES = databases(env("DATABASE_URL"), env("DATABASE_MIGRATION_URL", default=""))
# TLS to Aurora, required: `require` encrypts; `verify-full` with the RDS CA
# bundle (DATABASE_SSLROOTCERT, e.g. global-bundle.pem in the package) also
# checks the server's name. A URL's own ?sslmode= wins, but may not turn TLS off.
# https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/UsingWithRDS.SSL.html
DATABASE_SSLMODE = env("DATABASE_SSLMODE", default="require")
DATABASE_SSLROOTCERT = env("DATABASE_SSLROOTCERT", default="")
for _database in DATABASES.values():
    _options = _database.setdefault("OPTIONS", {})
    _options.setdefault("sslmode", DATABASE_SSLMODE)
    if DATABASE_SSLROOTCERT:
        _options.setdefault("sslrootcert", DATABASE_SSLROOTCERT)
    if _options["sslmode"] not in ("require", "verify-ca", "verify-full"):
        raise ImproperlyConfigured(
            f"sslmode={_options['sslmode']}: production connects to its database over TLS only "
            "(require, verify-ca or verify-full)."
        )

# HQ can do anything: in production they sign in with a second factor (offices.sign_in).
TWO_FACTOR_REQUIRED_FOR_HQ = True

# Partner webhooks go to https:// endpoints only.
WEBHOOK_REQUIRE_HTTPS = True

# API Gateway terminates TLS and forwards the original scheme.
# https://docs.djangoproject.com/en/stable/ref/settings/#secure-proxy-ssl-header
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True

# Static files live in S3 (django-storages) under content-hashed names
# (admin/css/base.6f2a….css), so browsers and CloudFront may cache them for
# good and a new release never mixes with an old file. `make collectstatic`
# uploads them; the manifest mapping each name to its hashed one ships in the
# package (config/staticfiles.json, kept current by `make static-manifest` and
# a test), so a page never reads it from S3.
# https://django-storages.readthedocs.io/en/latest/backends/amazon-S3.html
AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME")
# A CloudFront distribution in front of the bucket (d1234.cloudfront.net or static.example.com).
STATIC_CUSTOM_DOMAIN = env("STATIC_CUSTOM_DOMAIN", default=None)
# Proofs of delivery (signatures, photos) in their own private bucket (base.py):
# never the static one, whose files anyone may read.
AWS_MEDIA_BUCKET_NAME = env("AWS_MEDIA_BUCKET_NAME")
if AWS_MEDIA_BUCKET_NAME == AWS_STORAGE_BUCKET_NAME:
    raise ImproperlyConfigured("AWS_MEDIA_BUCKET_NAME must be a private bucket of its own, not the static files' one.")
# The policy lets pages load their scripts, styles and fonts from that host, and
# the proofs' images from the media bucket (through links signed for five minutes).
SECURE_CSP = content_security_policy(
    static_origin=f"https://{STATIC_CUSTOM_DOMAIN or f'{AWS_STORAGE_BUCKET_NAME}.s3.amazonaws.com'}",
    media_origins=[
        f"https://{AWS_MEDIA_BUCKET_NAME}.s3.amazonaws.com",
        f"https://{AWS_MEDIA_BUCKET_NAME}.s3.{AWS_REGION}.amazonaws.com",  # noqa: F405
    ],
)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "proofs": proofs_storage(AWS_MEDIA_BUCKET_NAME, AWS_REGION),  # noqa: F405
    "staticfiles": {
        "BACKEND": "storages.backends.s3.S3ManifestStaticStorage",
        "OPTIONS": {
            "manifest_storage": FileSystemStorage(location=STATIC_MANIFEST_DIR),
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "custom_domain": STATIC_CUSTOM_DOMAIN,
            "location": "static",
            "default_acl": None,
            "querystring_auth": False,
            "file_overwrite": True,
        },
    },
}

# Notifications go through SNS and SES; each of these is required with `aws`.
NOTIFICATIONS_BACKEND = env("NOTIFICATIONS_BACKEND", default="aws")
if NOTIFICATIONS_BACKEND == "aws":
    NOTIFICATIONS_TOPIC_ARN = env("NOTIFICATIONS_TOPIC_ARN")
    NOTIFICATIONS_FROM_EMAIL = env("NOTIFICATIONS_FROM_EMAIL")
    PUBLIC_TRACKING_URL = env("PUBLIC_TRACKING_URL")

# One JSON object per log line on stdout, with the Lambda request id (api/logs.py):
# CloudWatch Logs Insights filters on its fields.
# The project's INFO lines (imports' progress, sign-ins) stay; the AWS SDK's
# chatter ("Found credentials in environment variables", per call) does not.
LOGGING = {
    **LOGGING,  # noqa: F405
    "formatters": {"json": {"()": "api.logs.JsonFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stdout"}},
    "loggers": {
        **LOGGING["loggers"],  # noqa: F405
        **{name: {"level": "WARNING"} for name in ("botocore", "boto3", "s3transfer", "urllib3")},
    },
}
