"""Every AWS call the code makes is allowed by the functions' IAM policy
(deploy/iam-policy.json, the template's FunctionRole): moto does not enforce
IAM, so a call without its permission passes every other test and fails only
in AWS. The calls come from the source (tests/aws_calls.py), and a run against
moto checks that the scan sees every call the code really makes."""

import contextlib
import io
import json
import uuid
from fnmatch import fnmatchcase
from pathlib import Path
from types import SimpleNamespace

import boto3
import botocore.session
import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from tests.aws_calls import sdk_calls

ROOT = Path(__file__).resolve().parent.parent
POLICY = json.loads((ROOT / "deploy" / "iam-policy.json").read_text())

# The resources as deploy/iam-policy.json names them (its placeholders).
DROP = "arn:aws:s3:::parcel-backoffice-drop-STAGE"
TOPIC = "arn:aws:sns:us-east-1:ACCOUNT_ID:parcel-backoffice-STAGE-tracking"
SENDER = "arn:aws:ses:us-east-1:ACCOUNT_ID:identity/SES_IDENTITY"
WORKER = "arn:aws:lambda:us-east-1:ACCOUNT_ID:function:parcel-backoffice-STAGE-worker"
IMPORTED = f"{DROP}/imports/packages/2026-03-01.csv.gz"
ERRORS = f"{DROP}/import-errors/imports/packages/2026-03-01.csv.gz.from-0.csv"
EXPORTED = f"{DROP}/exports/delivered.csv.gz"
# An events import's sorted rows, kept between the invocations of its run (imports.sorted_copy).
SORTED = f"{DROP}/import-sorted/imports/events/scans.csv.etag-0123.sorted"
# What each SDK operation needs, from AWS's Service Authorization Reference
# (https://docs.aws.amazon.com/service-authorization/latest/reference/), "API operations"
# and "Actions" tables, and the resources the functions make it on. "*" where the action
# has no resource type (the policy must then name "*": no ARN matches).
PERMISSIONS: dict[tuple[str, str], tuple[tuple[str, ...], tuple[str, ...]]] = {
    # list_amazonsns: CheckIfPhoneNumberIsOptedOut has no resource type.
    ("sns", "CheckIfPhoneNumberIsOptedOut"): (("sns:CheckIfPhoneNumberIsOptedOut",), ("*",)),
    # Publish to a phone number (SMS): there is no topic ARN.
    ("sns", "Publish"): (("sns:Publish",), ("*",)),
    # PublishBatch is authorized by sns:Publish on the topic.
    ("sns", "PublishBatch"): (("sns:Publish",), (TOPIC,)),
    # list_amazonsimpleemailservicev2: SES v2 SendEmail is ses:SendEmail on the identity.
    ("sesv2", "SendEmail"): (("ses:SendEmail",), (SENDER,)),
    # list_amazons3: HeadObject needs s3:GetObject; the multipart steps need s3:PutObject,
    # AbortMultipartUpload its own action.
    ("s3", "HeadObject"): (("s3:GetObject",), (IMPORTED, SORTED)),
    ("s3", "GetObject"): (("s3:GetObject",), (IMPORTED, SORTED)),
    ("s3", "PutObject"): (("s3:PutObject",), (ERRORS, EXPORTED, SORTED)),
    ("s3", "CreateMultipartUpload"): (("s3:PutObject",), (EXPORTED,)),
    ("s3", "UploadPart"): (("s3:PutObject",), (EXPORTED,)),
    ("s3", "CompleteMultipartUpload"): (("s3:PutObject",), (EXPORTED,)),
    ("s3", "AbortMultipartUpload"): (("s3:AbortMultipartUpload",), (EXPORTED,)),
    # list_awslambda: Invoke is lambda:InvokeFunction on the function (the import's follow-up).
    ("lambda", "Invoke"): (("lambda:InvokeFunction",), (WORKER,)),
}


def _listed(value) -> list[str]:
    return value if isinstance(value, list) else [value]


def allowed(action: str, resource: str) -> bool:
    """Whether an Allow statement of the policy covers the action on the resource
    (the policy has no Deny and no Condition: tests/test_zappa_settings.py)."""
    for statement in POLICY["Statement"]:
        if not any(fnmatchcase(action.lower(), pattern.lower()) for pattern in _listed(statement["Action"])):
            continue
        if "Resource" in statement and any(fnmatchcase(resource, r) for r in _listed(statement["Resource"])):
            return True
        if "NotResource" in statement and not any(fnmatchcase(resource, r) for r in _listed(statement["NotResource"])):
            return True
    return False


def test_every_aws_call_the_code_makes_is_allowed_by_the_functions_policy():
    scan = sdk_calls()
    assert not scan.problems, scan.problems
    unknown = {call: sorted(scan.where[call]) for call in scan.calls - set(PERMISSIONS)}
    assert not unknown, (
        f"new AWS calls: {unknown}. Look up the IAM actions they need in the Service Authorization "
        "Reference, add them to PERMISSIONS and to deploy/iam-policy.json and the template's FunctionRole."
    )
    refused = [
        f"{service}.{operation} ({', '.join(sorted(scan.where[(service, operation)]))}) needs {action} on {resource}"
        for service, operation in sorted(scan.calls)
        for action in PERMISSIONS[(service, operation)][0]
        for resource in PERMISSIONS[(service, operation)][1]
        if not allowed(action, resource)
    ]
    assert not refused, refused


def test_the_policy_allows_only_what_the_code_calls():
    """No statement left over from a call the code no longer makes."""
    needed = {action for call in sdk_calls().calls for action in PERMISSIONS[call][0]}
    lambda_itself = {"logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "ec2:"}
    granted = {action for statement in POLICY["Statement"] for action in _listed(statement["Action"])}
    extra = {action for action in granted - needed if not action.startswith(tuple(lambda_itself))}
    assert not extra, extra


# --- the scan against what the code really calls, on moto ----------------------------------------


@pytest.fixture
def recorded_operations(moto_server, monkeypatch):
    """Every operation a client created from now on sends (botocore's before-call event)."""
    for name, value in {
        "AWS_ENDPOINT_URL": moto_server,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL_S3", raising=False)
    from notifications import backends

    backends.client.cache_clear()
    operations: set[tuple[str, str]] = set()

    def record(model, **_):
        operations.add((model.service_model.service_name, model.name))

    create_client = botocore.session.Session.create_client

    def create_recording_client(self, *args, **kwargs):
        client = create_client(self, *args, **kwargs)
        client.meta.events.register("before-call", record)
        return client

    monkeypatch.setattr(botocore.session.Session, "create_client", create_recording_client)
    yield operations
    backends.client.cache_clear()


def test_the_scan_finds_every_aws_call_the_code_makes_against_moto(moto_server, recorded_operations, db):
    from imports.lambda_handler import _invoke_self
    from notifications.backends import AwsBackend, DeliveryError, TopicEntry

    setup = boto3.client("s3", endpoint_url=moto_server, region_name="us-east-1")
    bucket = f"drop-{uuid.uuid4().hex[:12]}"
    setup.create_bucket(Bucket=bucket)
    offices = (ROOT / "tests" / "data" / "offices.csv").read_text().splitlines()
    setup.put_object(Bucket=bucket, Key="imports/offices/o.csv", Body="\n".join([*offices[:3], "NOPE,,,,,,,,,,,,"]))
    recorded_operations.clear()

    backend = AwsBackend()
    with override_settings(
        NOTIFICATIONS_TOPIC_ARN="arn:aws:sns:us-east-1:123456789012:nowhere", NOTIFICATIONS_FROM_EMAIL="a@example.com"
    ):
        for send in (
            lambda: backend.send_sms("+12025550123", "Your parcel is on its way."),
            lambda: backend.send_email("b@example.com", "Parcel", "text", "<p>html</p>"),
            lambda: backend.publish_topic([TopicEntry(key="1", message="{}", attributes={})]),
        ):
            with contextlib.suppress(DeliveryError):  # moto: no such topic or sender; the call was made
                send()
    quiet = {"stdout": io.StringIO(), "stderr": io.StringIO()}
    source, errors = f"s3://{bucket}/imports/offices/o.csv", f"s3://{bucket}/import-errors/o.csv"
    with pytest.raises(CommandError):  # the bad row: exit status 1, rejected rows written to S3
        call_command("import_offices", source, errors=errors, **quiet)
    call_command("export_packages", f"s3://{bucket}/exports/all.csv", **quiet)
    context = SimpleNamespace(invoked_function_arn="arn:aws:lambda:us-east-1:123456789012:function:nowhere")
    with contextlib.suppress(Exception):  # moto has no such function: the call was made
        _invoke_self({"Records": []}, context)

    assert setup.get_object(Bucket=bucket, Key="import-errors/o.csv")["Body"].read()
    assert {
        ("sns", "CheckIfPhoneNumberIsOptedOut"),
        ("sns", "Publish"),
        ("sns", "PublishBatch"),
        ("sesv2", "SendEmail"),
        ("s3", "HeadObject"),
        ("s3", "GetObject"),
        ("s3", "PutObject"),
        ("lambda", "Invoke"),
    } <= recorded_operations
    assert recorded_operations <= sdk_calls().calls, recorded_operations - sdk_calls().calls
