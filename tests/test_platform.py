import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from tests.helpers import PRODUCTION_ENV as STARTABLE_ENV

ROOT = Path(__file__).resolve().parent.parent


def test_the_suite_runs_on_postgresql(db):
    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        assert int(cursor.fetchone()[0]) >= 150000


def test_production_settings_pass_the_deploy_check():
    env = {**os.environ, **STARTABLE_ENV}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("missing", ["NOTIFICATIONS_TOPIC_ARN", "NOTIFICATIONS_FROM_EMAIL", "PUBLIC_TRACKING_URL"])
def test_production_with_aws_notifications_names_a_missing_setting(missing):
    env = {**os.environ, **STARTABLE_ENV}
    env.pop("NOTIFICATIONS_BACKEND", None)
    del env[missing]
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert missing in result.stderr


def test_production_refuses_to_start_without_its_secrets():
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "DATABASE_URL"))}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.production"
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


PRODUCTION_ENV = {**STARTABLE_ENV, "DATABASE_URL": "postgres://app@db.example.com:5432/parcels"}
PRINT_DATABASES = "import json; from django.conf import settings; print(json.dumps(settings.DATABASES))"


def _production(code: str, **overrides):
    """Run ``code`` with the production settings and ``overrides`` in the environment."""
    ours = ("DJANGO_", "DATABASE_", "AWS_S3", "STATIC_")
    env = {key: value for key, value in os.environ.items() if not key.startswith(ours)}
    env |= PRODUCTION_ENV | overrides
    return subprocess.run(  # noqa: S603 (our own interpreter and code)
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _production_databases(**overrides):
    return _production(PRINT_DATABASES, **overrides)


def test_production_connects_to_its_database_over_tls_only():
    result = _production_databases()
    assert result.returncode == 0, result.stderr
    databases = json.loads(result.stdout)
    assert {alias: db["OPTIONS"]["sslmode"] for alias, db in databases.items()} == {
        "default": "require",
        "migrations": "require",
    }

    result = _production_databases(DATABASE_SSLMODE="verify-full", DATABASE_SSLROOTCERT="/var/task/global-bundle.pem")
    options = json.loads(result.stdout)["default"]["OPTIONS"]
    assert options == {"sslmode": "verify-full", "sslrootcert": "/var/task/global-bundle.pem"}

    for refused in (
        {"DATABASE_SSLMODE": "prefer"},
        {"DATABASE_URL": PRODUCTION_ENV["DATABASE_URL"] + "?sslmode=disable"},
    ):
        result = _production_databases(**refused)
        assert result.returncode != 0
        assert "over TLS only" in result.stderr


def test_production_migrates_as_the_owner_and_runs_as_the_application():
    owner = "postgres://owner@db.example.com:5432/parcels"
    databases = json.loads(_production_databases(DATABASE_MIGRATION_URL=owner).stdout)
    assert (databases["default"]["USER"], databases["migrations"]["USER"]) == ("app", "owner")
    # One URL: both aliases are the application's role, as before.
    databases = json.loads(_production_databases().stdout)
    assert databases["migrations"]["USER"] == "app"


PRINT_POLICY = (
    "import json; from django.conf import settings; "
    "from django.contrib.staticfiles.storage import staticfiles_storage; "
    "print(json.dumps({'csp': settings.SECURE_CSP, 'static': staticfiles_storage.url('admin/css/base.css')}))"
)


@pytest.mark.parametrize("custom_domain", [None, "static.example.com"])
def test_the_production_policy_lets_pages_load_their_static_files(custom_domain):
    overrides = {"STATIC_CUSTOM_DOMAIN": custom_domain} if custom_domain else {}
    result = _production(PRINT_POLICY, **overrides)
    assert result.returncode == 0, result.stderr
    printed = json.loads(result.stdout)
    origin = "/".join(printed["static"].split("/")[:3])
    assert origin == f"https://{custom_domain or 'static-bucket.s3.amazonaws.com'}"
    for directive in ("script-src", "style-src", "img-src", "font-src"):
        assert origin in printed["csp"][directive]
    assert printed["csp"]["default-src"] == ["'self'"]
    assert "'unsafe-inline'" not in json.dumps(printed["csp"])


@pytest.mark.parametrize("hosts", [".execute-api.us-east-1.amazonaws.com", "*", "api.example.com,.amazonaws.com"])
def test_production_refuses_allowed_hosts_of_every_aws_account(hosts):
    result = _production(PRINT_DATABASES, DJANGO_ALLOWED_HOSTS=hosts)
    assert result.returncode != 0
    assert "would accept any account's AWS host" in result.stderr


def test_the_zappa_stage_names_its_own_host_not_a_wildcard():
    stage = json.loads((ROOT / "zappa_settings.json").read_text())["dev"]
    hosts = stage["environment_variables"]["DJANGO_ALLOWED_HOSTS"].split(",")
    assert not any(host.startswith(".") or host == "*" for host in hosts)


def test_start_up_imports_no_heavy_library_a_request_may_not_need():
    """A Lambda cold start pays for every import: phone parsing, QR codes, the
    progress bar and the AWS SDK load on first use."""
    script = (
        "import sys, django; django.setup(); from django.urls import resolve; resolve('/admin/'); "
        "import shipments.services, shipments.rules, shipments.batches, imports.framework; "
        "print(sorted(name for name in ('phonenumbers', 'segno', 'tqdm', 'boto3') if name in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.stdout.strip() == "[]", result.stdout + result.stderr


def test_production_serves_static_files_under_hashed_names_from_the_packaged_manifest():
    manifest = json.loads((ROOT / "config" / "staticfiles.json").read_text())["paths"]
    result = _production(PRINT_POLICY)
    assert result.returncode == 0, result.stderr
    url = json.loads(result.stdout)["static"]
    # No S3 call: the manifest is read from the package; the name carries the file's hash.
    assert url.endswith("/static/" + manifest["admin/css/base.css"])
    assert manifest["admin/css/base.css"] != "admin/css/base.css"


def test_the_packaged_static_manifest_is_current(tmp_path):
    """Fails after a static file changes until `make static-manifest` is run and committed."""
    from tools.static_manifest import write_manifest

    fresh = json.loads(write_manifest(tmp_path).read_text())["paths"]
    committed = json.loads((ROOT / "config" / "staticfiles.json").read_text())["paths"]
    stale = {name for name in fresh.keys() | committed.keys() if fresh.get(name) != committed.get(name)}
    assert not stale, f"config/staticfiles.json is stale for {sorted(stale)[:5]}: run `make static-manifest`"


HEALTHZ_THROUGH_WSGI = """
import io, json, sys
from django.core.wsgi import get_wsgi_application
application = get_wsgi_application()
environ = {
    "REQUEST_METHOD": "GET", "PATH_INFO": "/healthz", "QUERY_STRING": "", "SERVER_NAME": "api.example.com",
    "SERVER_PORT": "443", "HTTP_HOST": "api.example.com", "HTTP_X_FORWARDED_PROTO": "https",
    "wsgi.input": io.BytesIO(), "wsgi.errors": sys.stderr, "wsgi.url_scheme": "https",
}
statuses = []
body = b"".join(application(environ, lambda status, headers: statuses.append(status)))
heavy = ("rest_framework.views", "drf_spectacular.views", "jwt", "cryptography", "yaml", "requests", "boto3")
print(json.dumps({"status": statuses[0], "body": json.loads(body), "loaded": [m for m in heavy if m in sys.modules]}))
"""


def test_a_health_check_on_a_cold_start_loads_no_api():
    """The first request of a Lambda cold start, GET /healthz, builds Django and
    answers without importing the API's stack (DRF's views, drf-spectacular, the
    JWT and crypto libraries, the AWS SDK): those load with the first API request.
    The database here does not answer, so the check says so."""
    result = _production(HEALTHZ_THROUGH_WSGI)
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout.splitlines()[-1])
    assert answer["status"].startswith("503")
    assert answer["body"] == {"status": "error", "database": "unavailable"}
    assert answer["loaded"] == []


@pytest.mark.parametrize(("init_type", "loaded"), [("on-demand", False), ("snap-start", True)])
def test_a_snapshotted_init_phase_holds_the_api(init_type, loaded):
    """With SnapStart the init phase (Django built by Zappa's handler on import)
    is snapshotted once: the API's views load there, not on the first API request
    after a restore. A plain cold start leaves them to that request."""
    code = "import sys; print(sorted(m for m in ('rest_framework.views', 'shipments.api.views') if m in sys.modules))"
    result = _production(code, AWS_LAMBDA_INITIALIZATION_TYPE=init_type)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ("['rest_framework.views', 'shipments.api.views']" if loaded else "[]")


def test_production_webhooks_are_https_only_and_allowed_networks_must_be_cidrs():
    printed = _production(
        "from django.conf import settings; print(settings.WEBHOOK_REQUIRE_HTTPS, settings.WEBHOOK_ALLOWED_NETWORKS)",
        WEBHOOK_REQUIRE_HTTPS="false",
        WEBHOOK_ALLOWED_NETWORKS="10.20.0.0/16,192.168.7.0/24",
    )
    assert printed.stdout.split() == ["True", "['10.20.0.0/16',", "'192.168.7.0/24']"]
    refused = _production(PRINT_DATABASES, WEBHOOK_ALLOWED_NETWORKS="10.20.0.0/16,intranet")
    assert refused.returncode != 0
    assert "WEBHOOK_ALLOWED_NETWORKS: intranet is not a CIDR network" in refused.stderr
