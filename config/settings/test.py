"""Settings for the test suite: real PostgreSQL (DATABASE_URL or embedded),
fast password hashing."""

import tempfile
from pathlib import Path

from config.settings.embedded_postgres import embedded_database_url

from .base import *  # noqa: F403
from .base import databases, env

DEBUG = False
SECRET_KEY = "test-only-not-a-secret"  # noqa: S105 (the test settings are never deployed)
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
TRACKING_NUMBER_KEY = "test-only-not-a-secret"  # noqa: S105 (the test settings are never deployed)

DATABASES = databases(env("DATABASE_URL", default="") or embedded_database_url())
# Tests open many short connections from threads; do not keep them around.
# The benchmarks set DATABASE_CONN_MAX_AGE to keep them, as a deployed Lambda does.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=0)
# Django empties the tables between transactional tests with TRUNCATE, which the
# append-only record refuses unless the session allows it (shipments migration 0005).
DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c shipments.allow_truncate=on"
# The tests run as one role: the migration alias is the same test database.
DATABASES["migrations"]["TEST"] = {"MIRROR": "default"}

# Most tests register parcels through the API without a payment (unpaid, as an office may allow);
# the counter's own tests say which office allows it (tests/counter).
COUNTER_UNPAID_ALLOWED = True

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Proofs of delivery a test records without its own storage (tests/handover's fixtures
# give one) go to a temporary folder, never the laptop's .data/media.
STORAGES = {
    **STORAGES,  # noqa: F405
    "proofs": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": Path(tempfile.gettempdir()) / "parcel-tests-media"},
    },
}

# Demo data (`manage.py seed_demo`): its users have published passwords, so only
# the local and test settings install the app and allow the command.
INSTALLED_APPS += ["demo"]  # noqa: F405
DEMO_DATA_ALLOWED = True
