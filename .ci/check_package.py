"""Start the project from the unpacked Lambda artifacts alone (`make package`).

Run with ``python -S`` from the unpacked function, with PYTHONPATH holding only
that folder and the unpacked layer's ``python/`` folder (Lambda's /var/task and
/opt/python): no site-packages, so every import comes from the two zips, as on
Lambda. Needs the production settings' environment (the Makefile sets it);
touches no database and no AWS.
"""

import os
import sys
import time
from pathlib import Path

started = time.time()
FUNCTION = Path.cwd()
PATHS = [Path(path).resolve() for path in os.environ["PYTHONPATH"].split(os.pathsep)]
if sys.flags.no_site != 1 or sys.path[1 : 1 + len(PATHS)] != [str(path) for path in PATHS]:
    sys.exit("package check: run with python -S and PYTHONPATH=<function>:<layer>/python")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

# Settings, apps, URLs, admin and API modules, and the deploy checks.
call_command("check", "--deploy", "--fail-level", "WARNING")

# Zappa's Lambda entry point and the AWS clients the project uses (boto3 and
# botocore import their docs modules at client creation), the SDK from the layer.
import boto3  # noqa: E402
import botocore  # noqa: E402
import handler  # noqa: E402, F401
from django.contrib.staticfiles.storage import staticfiles_storage  # noqa: E402

for module in (boto3, botocore):
    if Path(module.__file__).resolve().is_relative_to(FUNCTION):
        sys.exit(f"package check: {module.__name__} is in the function zip; it belongs to the layer")
for service in ("s3", "sns", "ses", "cognito-idp", "lambda"):
    boto3.client(service, region_name="us-east-1", aws_access_key_id="check", aws_secret_access_key="check")

# A page rendered from the package's templates, with static URLs from S3. With a
# manifest storage the hashed names come from staticfiles.json, which `make
# package` puts at the function's root; without it there is nothing to check.
manifest = getattr(staticfiles_storage, "manifest_name", None)
if manifest and not (FUNCTION / manifest).exists():
    print(f"package check: no {manifest} in the package: the admin page and its static URLs are not checked")
else:
    response = Client(HTTP_HOST=settings.ALLOWED_HOSTS[0].lstrip(".")).get(reverse("admin:login"), secure=True)
    page = response.content.decode()
    if response.status_code != 200:
        sys.exit(f"package check: the admin login answered {response.status_code}")
    if staticfiles_storage.url("admin/css/base.css") not in page:
        sys.exit("package check: admin CSS is not served from S3")
    static_origin = "/".join(staticfiles_storage.url("admin/css/base.css").split("/")[:3])
    if static_origin not in response.headers.get("Content-Security-Policy", ""):
        sys.exit(f"package check: the Content Security Policy lets pages load no static files from {static_origin}")

# Nothing was compiled on the way: every module came with its bytecode (Lambda's
# /var/task and /opt are read-only, so a missing .pyc is compiled at every cold start).
compiled = [str(path) for root in PATHS for path in root.rglob("*.pyc") if path.stat().st_mtime >= started]
if compiled:
    sys.exit(f"package check: {len(compiled)} modules were compiled at start-up, e.g. {compiled[:3]}")
loaded = [module for module in list(sys.modules.values()) if getattr(module, "__file__", None)]
ours = [module for module in loaded if any(Path(module.__file__).resolve().is_relative_to(root) for root in PATHS)]
print(
    f"package ok: Django {django.get_version()}, boto3 {boto3.__version__} from the layer, "
    f"{len(ours)} modules imported from the package's bytecode, static from {staticfiles_storage.url('')}"
)
