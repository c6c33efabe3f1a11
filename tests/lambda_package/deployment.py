"""The pieces of a deployment of the Lambda package on this machine: Zappa's
view of a stage, the AWS resources the deploy guide creates by hand (on moto),
a fresh database, and the deployment the tests talk to (conftest.py builds it)."""

from __future__ import annotations

import contextlib
import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

import boto3
import psycopg2

from .api_gateway import Browser
from .postgres_tls import PostgresTlsProxy
from .runtime import LambdaFunction

ROOT = Path(__file__).resolve().parents[2]
# The functions' output (their CloudWatch logs), kept after the run.
LOGS = ROOT / "build" / "lambda-test"
PACKAGE = Path(os.environ.get("LAMBDA_PACKAGE", ROOT / "build" / "lambda.zip"))
LAYER = Path(os.environ.get("LAMBDA_LAYER", ROOT / "build" / "aws-sdk-layer.zip"))
# The worker stage's own package (`make package` builds it with the web stage's).
WORKER_PACKAGE = Path(os.environ.get("LAMBDA_WORKER_PACKAGE", ROOT / "build" / "worker" / "lambda.zip"))
# The migrations function's own package (`make package` builds it too).
MIGRATIONS_PACKAGE = Path(os.environ.get("LAMBDA_MIGRATIONS_PACKAGE", ROOT / "build" / "migrations" / "lambda.zip"))
REGION = "us-east-1"
ACCOUNT = "123456789012"
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SESSION_TOKEN": "testing"}
HQ_PASSWORD = "Hq-first-sign-in-" + uuid.uuid4().hex


@dataclass
class Stage:
    """A stage as Zappa reads it from zappa_settings.json."""

    name: str
    lambda_name: str
    timeout_seconds: int
    memory_size: int
    config: dict
    settings_py: str
    # The EventBridge rule Zappa names for each scheduled function (Zappa's
    # handler finds the function to run in the name).
    schedule_rules: dict[str, str]

    def schedule_rule_arn(self, function: str) -> str:
        return f"arn:aws:events:{REGION}:{ACCOUNT}:rule/{self.schedule_rules[function]}"

    def event_source_arn(self, function: str) -> str:
        return next(event for event in self.config["events"] if event["function"] == function)["event_source"]["arn"]


def zappa_stage(name: str, workdir: Path) -> Stage:
    """Zappa's view of a stage, read in an empty folder holding only the
    settings: Zappa scans its working directory for websocket handlers."""
    from zappa.cli import ZappaCLI

    workdir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(ROOT / "zappa_settings.json", workdir / "zappa_settings.json")
    cli = ZappaCLI()
    cli.api_stage = name
    cli.load_credentials = False
    with contextlib.chdir(workdir):
        cli.load_settings("zappa_settings.json")
        settings_py = cli.get_zappa_settings_string()
    rules = {
        event["function"]: cli.zappa.get_scheduled_event_name(event, event["function"], cli.lambda_name)
        for event in cli.stage_config.get("events", [])
        if "expression" in event
    }
    return Stage(name, cli.lambda_name, cli.timeout_seconds, cli.memory_size, cli.stage_config, settings_py, rules)


@dataclass
class Deployment:
    web: LambdaFunction
    worker: LambdaFunction
    migrations: LambdaFunction
    web_stage: Stage
    worker_stage: Stage
    migrations_stage: Stage
    packaged_settings: dict
    host: str
    static_bucket: str
    drop_bucket: str
    topic_arn: str
    topic_queue_url: str
    moto: str
    cognito: dict
    proxy: PostgresTlsProxy
    database: dict
    task_state_before: dict

    def browser(self) -> Browser:
        return Browser(self.web, self.host, self.web_stage.name)

    def aws(self, service: str):
        return moto_client(self.moto, service)

    def query(self, sql: str, *params) -> list[tuple]:
        """Read the functions' database directly (for what no page shows)."""
        with contextlib.closing(psycopg2.connect(**self.database)) as connection, connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()


def moto_client(moto: str, service: str):
    """A boto3 client of moto's server."""
    return boto3.client(
        service, region_name=REGION, endpoint_url=moto, aws_access_key_id="testing", aws_secret_access_key="testing"
    )


def aws_resources(moto: str, drop_bucket: str, from_email: str) -> dict:
    """What the deploy guide has an operator create before `zappa deploy` (the
    user pool is the session's ``cognito`` fixture, tests/conftest.py)."""
    moto_client(moto, "s3").create_bucket(Bucket=drop_bucket)
    sns, sqs = moto_client(moto, "sns"), moto_client(moto, "sqs")
    topic_arn = sns.create_topic(Name="parcel-events")["TopicArn"]
    # A subscriber of the topic, to see what the functions published.
    queue_url = sqs.create_queue(QueueName="topic-subscriber")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"})
    moto_client(moto, "ses").verify_email_identity(EmailAddress=from_email)
    return {"topic_arn": topic_arn, "queue_url": queue_url}


def scratch_folder() -> str | None:
    """Where the functions' folders go: memory when the machine has a tmpfs
    (thousands of small files), else /var/tmp; never /tmp, which the
    sandbox replaces with the functions' own."""
    for folder in ("/dev/shm", "/var/tmp"):  # noqa: S108
        if os.access(folder, os.W_OK):
            return folder
    return None


@contextlib.contextmanager
def fresh_database():
    """A new, empty database on the server the test settings use; dropped afterwards."""
    from django.db import connections

    # How Django would connect (a host, or the embedded server's socket folder).
    params = connections["default"].get_connection_params()
    server = {key: params.get(key) or None for key in ("host", "port", "user", "password")}
    name = f"lambda_{uuid.uuid4().hex[:12]}"
    admin = psycopg2.connect(dbname=params["dbname"], **server)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        yield {"dbname": name, **server}
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def upstream_of(database: dict) -> tuple[str, int] | str:
    host, port = database["host"], int(database["port"] or 5432)
    if not host or host.startswith("/"):
        return f"{host or '/var/run/postgresql'}/.s.PGSQL.{port}"
    return (host, port)
