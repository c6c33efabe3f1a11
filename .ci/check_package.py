"""Start the project from the unpacked Lambda package alone (`make package`).

Run with ``python -S`` from the unpacked folder: no site-packages, so every
import must come from the package, as on Lambda. Needs the production
settings' environment (the Makefile sets it); touches no database and no AWS.
"""

import sys

sys.path.insert(0, ".")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

# Settings, apps, URLs, admin and API modules, and the deploy checks.
call_command("check", "--deploy", "--fail-level", "WARNING")

# Zappa's Lambda entry point and the AWS clients the project uses (boto3 and
# botocore import their docs modules at client creation).
import boto3  # noqa: E402, F401
import handler  # noqa: E402, F401
from django.contrib.staticfiles.storage import staticfiles_storage  # noqa: E402

for service in ("s3", "sns", "ses", "cognito-idp"):
    boto3.client(service, region_name="us-east-1", aws_access_key_id="check", aws_secret_access_key="check")

# A page rendered from the package's templates, with static URLs from S3.
response = Client(HTTP_HOST=settings.ALLOWED_HOSTS[0].lstrip(".")).get(reverse("admin:login"), secure=True)
page = response.content.decode()
if response.status_code != 200:
    sys.exit(f"package check: the admin login answered {response.status_code}")
if staticfiles_storage.url("admin/css/base.css") not in page:
    sys.exit("package check: admin CSS is not served from S3")
static_origin = "/".join(staticfiles_storage.url("admin/css/base.css").split("/")[:3])
if static_origin not in response.headers.get("Content-Security-Policy", ""):
    sys.exit(f"package check: the Content Security Policy does not let pages load static files from {static_origin}")
print(f"package ok: Django {django.get_version()}, admin login renders, static from {staticfiles_storage.url('')}")
