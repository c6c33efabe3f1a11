"""Fixtures of the import tests: an S3 bucket on moto's server, a command runner
that returns what an operator sees (exit status, stdout, stderr)."""

import io
import uuid

import boto3
import pytest
from django.core.management import CommandError, call_command

from offices.models import Office
from tests.helpers import IMPORT_DATA


@pytest.fixture
def s3(moto_server, monkeypatch):
    """A fresh bucket; the commands reach moto through AWS_ENDPOINT_URL_S3."""
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", moto_server)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    client = boto3.client("s3", endpoint_url=moto_server, region_name="us-east-1")
    bucket = f"drop-{uuid.uuid4().hex[:12]}"
    client.create_bucket(Bucket=bucket)
    client.bucket = bucket
    return client


@pytest.fixture
def run_command():
    """Run a management command; (exit status, stdout, stderr)."""

    def run(*args, **options):
        stdout, stderr = io.StringIO(), io.StringIO()
        try:
            call_command(*args, stdout=stdout, stderr=stderr, **options)
        except CommandError as error:
            return error.returncode, stdout.getvalue(), f"{stderr.getvalue()}{error}"
        return 0, stdout.getvalue(), stderr.getvalue()

    return run


@pytest.fixture
def network(run_command, tariffs):
    """The real office list and a tariff for every service."""
    assert run_command("import_offices", str(IMPORT_DATA / "offices.csv"))[0] == 0
    return {office.code: office for office in Office.objects.select_related("location")}
