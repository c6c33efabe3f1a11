"""zappa_settings.json and deploy/iam-policy.json (docs/deploy.md): the stages,
their timeouts and logging, the worker's events and the Lambda role's policy."""

import importlib
import inspect
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = json.loads((ROOT / "zappa_settings.json").read_text())
POLICY = json.loads((ROOT / "deploy" / "iam-policy.json").read_text())
WEB_STAGES = ("dev", "production")
WORKER_STAGES = ("dev_worker", "production_worker")


def stage(name: str) -> dict:
    """A stage's settings as Zappa reads them: ``extends`` is a shallow merge
    (the stage's own keys replace the extended stage's whole values)."""
    own = SETTINGS[name]
    base = stage(own["extends"]) if "extends" in own else {}
    return {**base, **own}


def test_the_stages():
    assert set(SETTINGS) == {*WEB_STAGES, *WORKER_STAGES}
    assert SETTINGS["production"]["extends"] == "dev"
    assert SETTINGS["dev_worker"]["extends"] == "dev"
    assert SETTINGS["production_worker"]["extends"] == "production"
    for name in SETTINGS:
        settings = stage(name)
        assert settings["django_settings"] == "config.settings.production"
        assert settings["runtime"] == "python3.12"
        assert settings["aws_region"]
        assert settings["s3_bucket"]
        assert settings["memory_size"] >= 512
        assert settings["keep_warm"] is False
        assert settings["manage_roles"] is False
        assert settings["role_arn"].startswith("arn:aws:iam::")
        assert settings["vpc_config"]["SubnetIds"]
        assert settings["vpc_config"]["SecurityGroupIds"]
        assert "remote_env" not in settings
        # The settings' own exclusions, unchanged by the extends (docs: bare names match at any depth).
        assert settings["exclude"] == SETTINGS["dev"]["exclude"]
        assert settings["exclude_glob"] == SETTINGS["dev"]["exclude_glob"]
        assert {"DJANGO_ALLOWED_HOSTS", "AWS_STORAGE_BUCKET_NAME"} <= set(settings["environment_variables"])


def test_timeouts():
    for name in WEB_STAGES:
        assert stage(name)["timeout_seconds"] <= 30, "API Gateway answers 504 after 30 s"
        assert stage(name).get("apigateway_enabled", True)
        assert "events" not in stage(name)
    for name in WORKER_STAGES:
        assert stage(name)["timeout_seconds"] == 900
        assert stage(name)["apigateway_enabled"] is False


def test_production_logs_little_and_shows_no_tracebacks():
    for name in ("production", "production_worker"):
        assert stage(name)["debug"] is False
        assert stage(name)["log_level"] == "WARNING"
    assert stage("production")["environment_variables"]["AWS_STORAGE_BUCKET_NAME"].endswith("-production")


def test_no_secret_in_the_settings():
    for name in SETTINGS:
        for key in stage(name)["environment_variables"]:
            assert not any(word in key for word in ("SECRET", "KEY", "PASSWORD", "DATABASE")), key


@pytest.mark.parametrize("name", WORKER_STAGES)
def test_every_event_calls_a_function_zappa_can_call(name):
    events = stage(name)["events"]
    assert {event["function"] for event in events} == {
        "notifications.services.dispatch_due",
        "notifications.delays.detect_delays",
        "imports.lambda_handler.handle_s3_event",
    }
    for event in events:
        module, _, attribute = event["function"].rpartition(".")
        function = getattr(importlib.import_module(module), attribute)
        assert callable(function)
        signature = inspect.signature(function)
        # Zappa's run_function tries f(event, context), then f(event), then f():
        # a TypeError at the call's binding moves it on, before the body runs.
        if "event_source" in event:
            signature.bind({}, None)
        else:
            with pytest.raises(TypeError):
                signature.bind({}, None)
            with pytest.raises(TypeError):
                signature.bind({})
            signature.bind()


@pytest.mark.parametrize("name", WORKER_STAGES)
def test_the_schedules_and_the_import_trigger(name):
    events = {event["function"]: event for event in stage(name)["events"]}
    assert events["notifications.services.dispatch_due"]["expression"] == "rate(1 minute)"
    assert events["notifications.delays.detect_delays"]["expression"] == "rate(15 minutes)"
    source = events["imports.lambda_handler.handle_s3_event"]["event_source"]
    assert source["arn"].startswith("arn:aws:s3:::")
    assert source["events"] == ["s3:ObjectCreated:*"]
    from imports.lambda_handler import ERRORS_PREFIX, PREFIX

    assert source["key_filters"] == [{"type": "prefix", "value": PREFIX}]
    assert PREFIX == "imports/"
    assert not ERRORS_PREFIX.startswith(PREFIX), "the import's error files would trigger imports"


READ_ONLY_PREFIXES = ("Describe", "Get", "List")
# What Lambda does with a VPC function's network interfaces (AWSLambdaVPCAccessExecutionRole):
# the only writes the policy allows on every resource.
LAMBDA_VPC_WRITES = {
    "ec2:CreateNetworkInterface",
    "ec2:DeleteNetworkInterface",
    "ec2:AssignPrivateIpAddresses",
    "ec2:UnassignPrivateIpAddresses",
}


def test_the_policy_is_least_privilege():
    for statement in POLICY["Statement"]:
        assert statement["Effect"] == "Allow"
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        assert all("*" not in action for action in actions), statement
        resources = statement.get("Resource", [])
        resources = resources if isinstance(resources, list) else [resources]
        if "*" in resources:
            # Lambda's VPC network interfaces cannot be scoped to a resource.
            assert statement["Sid"] == "VpcNetworkInterfaces"
            writes = [action for action in actions if not action.split(":")[1].startswith(READ_ONLY_PREFIXES)]
            assert set(writes) <= LAMBDA_VPC_WRITES, writes
    actions = {
        action
        for statement in POLICY["Statement"]
        for action in (statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]])
    }
    assert {"sns:Publish", "sns:PublishBatch", "ses:SendEmail", "s3:GetObject", "lambda:InvokeFunction"} <= actions
    assert not any(action.startswith(("iam:", "rds:", "s3:Delete", "sns:Create")) for action in actions)


def test_django_is_built_in_the_init_phase():
    """Zappa's handler builds the application when it is imported only if the
    function's own environment says so (its `environment_variables` are applied
    later, inside the handler): then Lambda's init phase, which SnapStart
    snapshots, holds a ready Django."""
    handler = inspect.getsource(importlib.import_module("zappa.handler"))
    assert 'if os.environ.get("INSTANTIATE_LAMBDA_HANDLER_ON_IMPORT"):' in handler
    for name in SETTINGS:
        assert stage(name)["aws_environment_variables"]["INSTANTIATE_LAMBDA_HANDLER_ON_IMPORT"] == "true"
        assert "INSTANTIATE_LAMBDA_HANDLER_ON_IMPORT" not in stage(name)["environment_variables"]
