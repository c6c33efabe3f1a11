"""Settings for `make run` on a laptop: debug on, embedded PostgreSQL unless
DATABASE_URL says otherwise. Never deployed."""

from config.settings.embedded_postgres import embedded_database_url
from config.settings.local_cognito import local_cognito_settings

from .base import *  # noqa: F403
from .base import COGNITO_USER_POOL_ID, databases, env

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

# Bearer tokens on a laptop: `make run` serves a local Cognito (moto) and writes
# where it is; the API checks tokens against it, and `make api-token USER=clerk.nyc01`
# prints one (config/settings/local_cognito.py). A real pool in the environment wins.
LOCAL_COGNITO_ENDPOINT = ""
_local_cognito = {} if COGNITO_USER_POOL_ID else local_cognito_settings()
if _local_cognito:
    COGNITO_USER_POOL_ID = _local_cognito["COGNITO_USER_POOL_ID"]
    COGNITO_APP_CLIENT_ID = _local_cognito["COGNITO_APP_CLIENT_ID"]
    COGNITO_REGION = _local_cognito["COGNITO_REGION"]
    COGNITO_JWKS_URL = _local_cognito["COGNITO_JWKS_URL"]
    LOCAL_COGNITO_ENDPOINT = _local_cognito["LOCAL_COGNITO_ENDPOINT"]

# A frontend served from the laptop (any port) may call the API from the browser.
CORS_ALLOWED_ORIGIN_REGEXES = [r"^http://localhost(:\d+)?$", r"^http://127\.0\.0\.1(:\d+)?$"]
