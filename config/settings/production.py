"""Settings for AWS Lambda behind API Gateway (deployed by Zappa).

Every secret comes from the environment and there is no default: a missing one
stops the process at start-up (environ raises ImproperlyConfigured)."""

from .base import *  # noqa: F403
from .base import database_settings, env

DEBUG = False
SECRET_KEY = env("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

DATABASES = {"default": database_settings(env("DATABASE_URL"))}

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

# Static files live in S3 (django-storages); `manage.py collectstatic` uploads them.
# https://django-storages.readthedocs.io/en/latest/backends/amazon-S3.html
AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME")
AWS_S3_CUSTOM_DOMAIN = env("AWS_S3_CUSTOM_DOMAIN", default=None)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "custom_domain": AWS_S3_CUSTOM_DOMAIN,
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
