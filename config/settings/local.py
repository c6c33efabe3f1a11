"""Settings for `make run` on a laptop: debug on, embedded PostgreSQL unless
DATABASE_URL says otherwise. Never deployed."""

from config.settings.embedded_postgres import embedded_database_url

from .base import *  # noqa: F403
from .base import databases, env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="local-only-not-a-secret")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
TRACKING_NUMBER_KEY = env("TRACKING_NUMBER_KEY", default="local-and-test-only-not-a-secret")

DATABASES = databases(
    env("DATABASE_URL", default="") or embedded_database_url(), env("DATABASE_MIGRATION_URL", default="")
)
# runserver answers each request in a thread of its own: a connection kept per
# thread piles up until PostgreSQL refuses more ("too many clients"). A Lambda
# process answers one request at a time, so production keeps its connection.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=0)

# Demo data (`manage.py seed_demo`): its users have published passwords, so only
# the local and test settings install the app and allow the command.
INSTALLED_APPS += ["demo"]  # noqa: F405
DEMO_DATA_ALLOWED = True
