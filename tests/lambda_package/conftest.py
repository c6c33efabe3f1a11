"""One deployment of the Lambda package (``make package``), as AWS would run it,
for the whole session (``make lambda-test``).

- The web function: ``build/lambda.zip`` unzipped, with the stage's own
  ``zappa_settings.py`` (the one Zappa wrote into the zip).
- The worker function (``<stage>_worker``): ``build/worker/lambda.zip`` unzipped,
  the worker stage's own package (``make package`` builds every stage's), as
  ``zappa deploy <stage>_worker -z`` uploads it.
- The migrations function (``<stage>_migrations``): ``build/migrations/lambda.zip``,
  the only one with ``DATABASE_MIGRATION_URL`` in its environment.
- ``build/aws-sdk-layer.zip``, when there is one, as the functions' layer.
- A fresh database on the real PostgreSQL, reached over TLS as production
  requires (postgres_tls.py); nothing in it but what the
  functions do.
- moto's server (tests/conftest.py) for S3, SNS, SES and Cognito, with the resources docs/deploy.md
  creates by hand before a deploy (drop bucket, topic, verified sender, user pool).
"""

from __future__ import annotations

import contextlib
import runpy
import shutil
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.helpers import PRODUCTION_ENV

from .deployment import (
    ACCOUNT,
    CREDENTIALS,
    HQ_PASSWORD,
    LAYER,
    LOGS,
    MIGRATIONS_PACKAGE,
    PACKAGE,
    REGION,
    WORKER_PACKAGE,
    Deployment,
    Stage,
    aws_resources,
    fresh_database,
    scratch_folder,
    upstream_of,
    zappa_stage,
)
from .postgres_tls import PostgresTlsProxy
from .runtime import LambdaFunction, install_runtime, namespaces_available, tree_state, unpack


@pytest.fixture(scope="session")
def deployment(moto_server, cognito, django_db_blocker):
    for package in (PACKAGE, WORKER_PACKAGE, MIGRATIONS_PACKAGE):
        if not package.exists():
            pytest.fail(f"{package} is missing: `make package` builds it (`make lambda-test` runs it first).")
    base = Path(tempfile.mkdtemp(prefix="lambda-test-", dir=scratch_folder()))
    base.chmod(0o755)
    LOGS.mkdir(parents=True, exist_ok=True)
    for log in LOGS.glob("*.log"):
        log.unlink()
    functions: list[LambdaFunction] = []
    try:
        # The folders: one task root per function, the layer and the runtime shared.
        web_root = unpack(PACKAGE, base / "web" / "task")
        layer_root = unpack(LAYER, base / "opt") if LAYER.exists() else None
        runtime_root = install_runtime(base / "runtime")
        packaged = runpy.run_path(str(web_root / "zappa_settings.py"))
        web_stage = zappa_stage(packaged["API_STAGE"], base / "zappa" / "web")
        worker_stage = zappa_stage(f"{packaged['API_STAGE']}_worker", base / "zappa" / "worker")
        # The worker's own package, as `zappa deploy <stage>_worker -z` uploads it.
        worker_root = unpack(WORKER_PACKAGE, base / "worker" / "task")
        worker_packaged = runpy.run_path(str(worker_root / "zappa_settings.py"))
        assert worker_packaged["API_STAGE"] == worker_stage.name, "the worker zip is another stage's"
        migrations_stage = zappa_stage(f"{packaged['API_STAGE']}_migrations", base / "zappa" / "migrations")
        migrations_root = unpack(MIGRATIONS_PACKAGE, base / "migrations" / "task")
        migrations_packaged = runpy.run_path(str(migrations_root / "zappa_settings.py"))
        assert migrations_packaged["API_STAGE"] == migrations_stage.name, "the migrations zip is another stage's"

        drop_bucket = worker_stage.event_source_arn("imports.lambda_handler.handle_s3_event").split(":::")[1]
        app_env = {key: value for key, value in PRODUCTION_ENV.items() if key != "DJANGO_SETTINGS_MODULE"}
        resources = aws_resources(moto_server, drop_bucket, app_env["NOTIFICATIONS_FROM_EMAIL"])

        with django_db_blocker.unblock(), contextlib.ExitStack() as stack:
            database = stack.enter_context(fresh_database())
            proxy = PostgresTlsProxy(upstream_of(database), base)
            proxy.start()
            stack.callback(proxy.stop)
            user = quote(database["user"] or "", safe="")
            password = f":{quote(database['password'], safe='')}" if database["password"] else ""
            # sslmode is production's own default (require).
            database_url = f"postgres://{user}{password}@127.0.0.1:{proxy.port}/{database['dbname']}"
            shared = {
                **app_env,
                **CREDENTIALS,
                "DATABASE_URL": database_url,
                "NOTIFICATIONS_TOPIC_ARN": resources["topic_arn"],
                "COGNITO_USER_POOL_ID": cognito["pool_id"],
                "COGNITO_APP_CLIENT_ID": cognito["client_id"],
                "COGNITO_REGION": REGION,
                "COGNITO_JWKS_URL": f"{moto_server}/{cognito['pool_id']}/.well-known/jwks.json",
            }

            def lambda_function(stage: Stage, task_root: Path, log: str, environment: dict[str, str]) -> LambdaFunction:
                """One stage's function as Lambda runs it: its task root, the shared layer and runtime."""
                return LambdaFunction(
                    name=stage.lambda_name,
                    task_root=task_root,
                    layer_root=layer_root,
                    runtime_root=runtime_root,
                    environment={**shared, **environment},
                    timeout_seconds=stage.timeout_seconds,
                    memory_mb=stage.memory_size,
                    log_path=LOGS / f"{log}.log",
                    region=REGION,
                    account=ACCOUNT,
                )

            # SNS and SES on moto; S3 is left alone: the web function only
            # writes the static files' URLs, which must name the real bucket.
            web = lambda_function(
                web_stage, web_root, "web", {"AWS_ENDPOINT_URL_SNS": moto_server, "AWS_ENDPOINT_URL_SESV2": moto_server}
            )
            # `createsuperuser --noinput` reads the first HQ user's password from DJANGO_SUPERUSER_PASSWORD.
            worker = lambda_function(
                worker_stage,
                worker_root,
                "worker",
                {"AWS_ENDPOINT_URL": moto_server, "DJANGO_SUPERUSER_PASSWORD": HQ_PASSWORD},
            )
            # The owner's URL on the migrations function only (one role here: the same URL).
            migrations = lambda_function(
                migrations_stage, migrations_root, "migrations", {"DATABASE_MIGRATION_URL": database_url}
            )
            task_state_before = {root: tree_state(root) for root in (web_root, worker_root, migrations_root)}
            for function in (web, worker, migrations):
                functions.append(function)
                function.start()
            yield Deployment(
                web=web,
                worker=worker,
                migrations=migrations,
                web_stage=web_stage,
                worker_stage=worker_stage,
                migrations_stage=migrations_stage,
                packaged_settings=packaged,
                host=packaged["ENVIRONMENT_VARIABLES"]["DJANGO_ALLOWED_HOSTS"].split(",")[0].lower(),
                static_bucket=packaged["ENVIRONMENT_VARIABLES"]["AWS_STORAGE_BUCKET_NAME"],
                drop_bucket=drop_bucket,
                topic_arn=resources["topic_arn"],
                topic_queue_url=resources["queue_url"],
                moto=moto_server,
                cognito=cognito,
                proxy=proxy,
                database=database,
                task_state_before=task_state_before,
            )
            for function in functions:  # before their database goes
                function.stop()
    finally:
        for function in functions:
            function.stop()
        if not namespaces_available():
            subprocess.run(["chmod", "-R", "u+w", str(base)], check=False)
        shutil.rmtree(base, ignore_errors=True)
