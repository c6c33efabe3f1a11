"""Start the project from the unpacked Lambda artifacts alone (`make package`).

Run with ``python -S`` from the unpacked function, with PYTHONPATH holding only
that folder and the unpacked layer's ``python/`` folder (Lambda's /var/task and
/opt/python): no site-packages, so every import comes from the two zips, as on
Lambda. Needs the production settings' environment (the Makefile sets it);
touches no database and no AWS.
"""

import importlib.util
import os
import sys
from pathlib import Path

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

# What only a laptop or CI needs stays out: the demo data (its users have published
# passwords), the tests, the benchmarks, the tools and the docs.
from django.core.management import get_commands  # noqa: E402

if "seed_demo" in get_commands():
    sys.exit("package check: seed_demo is in the package")
for folder in ("demo", "tests", "benchmarks", "tools", "docs", ".ci"):
    if (FUNCTION / folder).exists():
        sys.exit(f"package check: {folder}/ is in the package")

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

# A page rendered from the package's templates, with static URLs from S3 under
# hashed names read from the manifest in the package (config/staticfiles.json).
manifest = Path(staticfiles_storage.manifest_storage.path(staticfiles_storage.manifest_name)).resolve()
if not (manifest.is_file() and manifest.is_relative_to(FUNCTION)):
    sys.exit(f"package check: the static files manifest {manifest} is not in the package")
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

# The API schema, generated and rendered as YAML, from the package: drf-spectacular
# without the jsonschema stack (only `manage.py spectacular --validate` uses it)
# and PyYAML without its C extension (both left out of the package).
from drf_spectacular.generators import SchemaGenerator  # noqa: E402
from drf_spectacular.renderers import OpenApiYamlRenderer  # noqa: E402

schema = OpenApiYamlRenderer().render(SchemaGenerator().get_schema(request=None, public=True))
if b"/api/v1/track/{tracking_number}/" not in schema:
    sys.exit("package check: the API schema lacks the public tracking endpoint")

# Nothing was compiled on the way: every module came with bytecode for this
# Python that the import system uses without looking at the source (Lambda's
# /var/task and /opt are read-only, so a missing or stale .pyc is compiled at
# every cold start): sourceless .pyc, or an unchecked-hash .pyc in __pycache__.
loaded = [
    module
    for module in list(sys.modules.values())
    if getattr(module, "__file__", None) and any(Path(module.__file__).resolve().is_relative_to(root) for root in PATHS)
]
compiled = []
for module in loaded:
    if module.__file__.endswith(".pyc") or not module.__file__.endswith(".py"):
        continue  # sourceless bytecode, or an extension module
    cached = Path(module.__cached__)
    header = cached.read_bytes()[:8] if cached.is_file() else b""
    if header[:4] != importlib.util.MAGIC_NUMBER or int.from_bytes(header[4:8], "little") != 0b01:
        compiled.append(module.__name__)
if compiled:
    sys.exit(f"package check: {len(compiled)} modules had no usable bytecode, e.g. {compiled[:5]}")
print(
    f"package ok: Django {django.get_version()}, boto3 {boto3.__version__} from the layer, "
    f"{len(loaded)} modules imported from the package's bytecode, "
    f"admin CSS at {staticfiles_storage.url('admin/css/base.css')}"
)
