"""zappa_settings.json, requirements.lock and deploy/iam-policy.json (docs/deploy.md):
the stages, their timeouts and logging, the worker's events, the migrations'
own function, what the package holds and the Lambda roles' policies."""

import fnmatch
import importlib
import importlib.metadata
import inspect
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = json.loads((ROOT / "zappa_settings.json").read_text())
POLICY = json.loads((ROOT / "deploy" / "iam-policy.json").read_text())
WEB_STAGES = ("dev", "production")
WORKER_STAGES = ("dev_worker", "production_worker")
MIGRATION_STAGES = ("dev_migrations", "production_migrations")


def stage(name: str) -> dict:
    """A stage's settings as Zappa reads them: ``extends`` is a shallow merge
    (the stage's own keys replace the extended stage's whole values)."""
    own = SETTINGS[name]
    base = stage(own["extends"]) if "extends" in own else {}
    return {**base, **own}


def test_the_stages():
    assert set(SETTINGS) == {*WEB_STAGES, *WORKER_STAGES, *MIGRATION_STAGES}
    assert SETTINGS["production"]["extends"] == "dev"
    assert SETTINGS["dev_worker"]["extends"] == "dev"
    assert SETTINGS["production_worker"]["extends"] == "production"
    assert SETTINGS["dev_migrations"]["extends"] == "dev"
    assert SETTINGS["production_migrations"]["extends"] == "production"
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
    for name in (*WORKER_STAGES, *MIGRATION_STAGES):
        assert stage(name)["timeout_seconds"] == 900
        assert stage(name)["apigateway_enabled"] is False


def test_production_logs_little_and_shows_no_tracebacks():
    for name in ("production", "production_worker", "production_migrations"):
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
        "webhooks.delivery.dispatch_due",
        "notifications.delays.detect_delays",
        "shipments.returns.expire_holdings",
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
    # The partner webhooks in an invocation of their own: a slow endpoint never holds up an SMS.
    assert events["webhooks.delivery.dispatch_due"]["expression"] == "rate(1 minute)"
    assert events["notifications.delays.detect_delays"]["expression"] == "rate(15 minutes)"
    assert events["shipments.returns.expire_holdings"]["expression"] == "rate(15 minutes)"
    source = events["imports.lambda_handler.handle_s3_event"]["event_source"]
    assert source["arn"].startswith("arn:aws:s3:::")
    assert source["events"] == ["s3:ObjectCreated:*"]
    from imports.lambda_handler import ERRORS_PREFIX, PREFIX

    assert source["key_filters"] == [{"type": "prefix", "value": PREFIX}]
    assert PREFIX == "imports/"
    assert not ERRORS_PREFIX.startswith(PREFIX), "the import's error files would trigger imports"


@pytest.mark.parametrize("name", MIGRATION_STAGES)
def test_migrations_have_a_function_of_their_own_that_reads_no_files(name):
    """The owner's URL (DATABASE_MIGRATION_URL) lives on a function that nothing
    from outside reaches: no S3 trigger, no schedule, no API Gateway, and a role
    of its own (the template's MigrationsFunctionRole, logs and VPC only). The
    worker, which parses the files dropped in S3, has the application's role only."""
    settings = stage(name)
    assert "events" not in settings
    assert settings["apigateway_enabled"] is False
    base = name.removesuffix("_migrations")
    assert settings["role_arn"] == stage(base)["role_arn"].replace("-lambda", "-migrations-lambda")
    assert settings["role_arn"] not in {stage(other)["role_arn"] for other in (base, f"{base}_worker")}
    assert settings["vpc_config"] == stage(base)["vpc_config"]  # it reaches the database


def test_the_migrations_role_may_only_write_its_logs_and_use_the_vpc():
    from cfnlint.decode import decode

    template, problems = decode(str(TEMPLATE))
    assert not problems
    role = template["Resources"]["MigrationsFunctionRole"]["Properties"]
    assert role["RoleName"] == {"Fn::Sub": "parcel-backoffice-${Stage}-migrations-lambda"}
    (policy,) = role["Policies"]
    actions = {
        action
        for statement in policy["PolicyDocument"]["Statement"]
        for action in (statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]])
    }
    assert actions == {"logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"} | {
        action for action in actions if action.startswith("ec2:")
    }
    assert {action for action in actions if action.startswith("ec2:")} <= LAMBDA_VPC_WRITES | {
        "ec2:DescribeNetworkInterfaces",
        "ec2:DescribeSubnets",
    }
    assert "MigrationsFunctionRoleArn" in template["Outputs"]


DEPLOY_GUIDES = [ROOT / "docs" / "deploy.md", ROOT / "docs" / "database-roles.md", ROOT / "README.md"]


def test_the_guides_migrate_on_the_migrations_function_and_give_the_worker_no_owner_url():
    commands = [
        line
        for guide in DEPLOY_GUIDES
        for line in guide.read_text().splitlines()
        if re.search(r"zappa manage \S+ \"?(migrate|grant_application_role)", line)
    ]
    assert commands
    for line in commands:
        for match in re.finditer(r"zappa manage (\S+) \"?(migrate|grant_application_role)", line):
            assert match[1].endswith("_migrations"), line
    deploy = (ROOT / "docs" / "deploy.md").read_text()
    # The environment file of each function: only the migrations function's names the owner's URL.
    assert "production-migrations-env.json" in deploy
    for line in deploy.splitlines():
        if "production-worker-env.json" in line or "production-env.json" in line:
            assert "DATABASE_MIGRATION_URL" not in line or "not" in line, line


READ_ONLY_PREFIXES = ("Describe", "Get", "List", "CheckIf")
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
            # Actions with no resource type (Lambda's VPC network interfaces, the SMS
            # opt-out check) cannot be scoped to a resource: only those are on "*".
            assert statement["Sid"] in ("VpcNetworkInterfaces", "NotificationsSmsOptOut"), statement
            writes = [action for action in actions if not action.split(":")[1].startswith(READ_ONLY_PREFIXES)]
            assert set(writes) <= LAMBDA_VPC_WRITES, writes
    actions = {
        action
        for statement in POLICY["Statement"]
        for action in (statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]])
    }
    assert {"sns:Publish", "ses:SendEmail", "s3:GetObject", "lambda:InvokeFunction"} <= actions
    assert not any(action.startswith(("iam:", "rds:", "s3:Delete", "sns:Create")) for action in actions)


TEMPLATE = ROOT / "deploy" / "supporting-resources.yaml"


def test_the_supporting_resources_template_passes_cfn_lint():
    import subprocess
    import sys

    cfn_lint = Path(sys.executable).parent / "cfn-lint"
    result = subprocess.run(  # noqa: S603 (the virtualenv's own tool and our file)
        [str(cfn_lint), str(TEMPLATE)], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _rendered(value) -> list[str]:
    """A template's policy value as deploy/iam-policy.json spells it (its placeholders)."""
    names = {
        "${AWS::Region}": "us-east-1",
        "${AWS::AccountId}": "ACCOUNT_ID",
        "${Stage}": "STAGE",
        "${DropBucket.Arn}": "arn:aws:s3:::parcel-backoffice-drop-STAGE",
        "${NotificationsFromEmail}": "SES_IDENTITY",
    }
    references = {"TrackingTopic": "arn:aws:sns:us-east-1:ACCOUNT_ID:parcel-backoffice-STAGE-tracking"}
    values = value if isinstance(value, list) else [value]
    rendered = []
    for item in values:
        if isinstance(item, dict) and "Fn::Sub" in item:
            item = item["Fn::Sub"]
            for name, placeholder in names.items():
                item = item.replace(name, placeholder)
        elif isinstance(item, dict) and "Ref" in item:
            item = references[item["Ref"]]
        rendered.append(item)
    return sorted(rendered)


def test_the_template_gives_the_functions_exactly_the_policy_in_the_repository():
    from cfnlint.decode import decode

    template, problems = decode(str(TEMPLATE))
    assert not problems
    role = template["Resources"]["FunctionRole"]["Properties"]
    (policy,) = role["Policies"]
    in_template = {
        statement["Sid"]: {key: _rendered(value) for key, value in statement.items() if key != "Sid"}
        for statement in policy["PolicyDocument"]["Statement"]
    }
    in_repository = {
        statement["Sid"]: {key: _rendered(value) for key, value in statement.items() if key != "Sid"}
        for statement in POLICY["Statement"]
    }
    assert in_template == in_repository
    # Its outputs are what zappa_settings.json and the environment need.
    assert {"LambdaSubnetIds", "LambdaSecurityGroupId", "FunctionRoleArn", "DatabaseProxyEndpoint"} <= set(
        template["Outputs"]
    )


def locked(filename: str = "requirements.lock") -> dict[str, tuple[str, list[str]]]:
    """A lock file as {name: (version, hashes)}, names normalized as pip does."""
    entries: dict[str, tuple[str, list[str]]] = {}
    name = ""
    for line in (ROOT / filename).read_text().splitlines():
        if match := re.match(r"^([A-Za-z0-9._-]+)==([^\s\\]+)", line):
            name = canonical(match[1])
            entries[name] = (match[2], [])
        elif match := re.match(r"^\s+--hash=sha256:([0-9a-f]{64})", line):
            entries[name][1].append(match[1])
    return entries


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_the_lock_pins_every_requirement_with_hashes():
    lock = locked()
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        if not line or line.startswith("#"):
            continue
        name, version = re.match(r"^([A-Za-z0-9._-]+)(?:\[[^]]*\])?==(\S+)$", line).groups()
        assert lock[canonical(name)][0] == version, f"{name}: run `make lock`"
    for name, (version, hashes) in lock.items():
        assert hashes, f"{name}=={version} has no hash"


def test_the_development_lock_installs_production_pins_and_pins_everything():
    """A fresh clone's venv is requirements-dev.lock (Makefile), so a release upstream
    (a new botocore) cannot change what the tests run against."""
    production, development = locked(), locked("requirements-dev.lock")
    for name, (version, _) in production.items():
        assert development.get(name, (None,))[0] == version, f"{name}: run `make lock`"
    for line in (ROOT / "requirements-dev.txt").read_text().splitlines():
        if match := re.match(r"^([A-Za-z0-9._-]+)(?:\[[^]]*\])?==(\S+)$", line):
            assert development[canonical(match[1])][0] == match[2], f"{match[1]}: run `make lock`"
    for name, (version, hashes) in development.items():
        assert hashes, f"{name}=={version} has no hash"
    makefile = (ROOT / "Makefile").read_text()
    assert "--require-hashes -r requirements-dev.lock" in makefile


def test_the_layer_holds_the_aws_sdk_the_tests_use():
    lock = locked()
    for name in ("boto3", "botocore", "s3transfer"):
        assert lock[name][0] == importlib.metadata.version(name), f"{name}: the lock and the test venv differ"


def test_the_package_leaves_out_the_layer_and_keeps_what_runs():
    settings = stage("production")
    assert settings["use_precompiled_packages"] is False, "Zappa would replace the locked wheels with downloads"
    assert all(layer.startswith("arn:aws:lambda:") for layer in settings["layers"])
    excluded = settings["exclude"]
    for name in ("boto3", "botocore", "s3transfer", "jmespath", "troposphere", "hjson", "*.po"):
        assert name in excluded
    # The handler imports these (zappa/handler.py, utilities.py, middleware.py), and the
    # static files manifest is read at the package's root.
    patterns = excluded + settings["exclude_glob"]
    for kept in ("werkzeug", "durationpy", "zappa", "django", "staticfiles.json", "handler.py"):
        assert not any(fnmatch.fnmatch(kept, pattern.rstrip("/")) for pattern in patterns), kept


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


def test_production_web_starts_from_a_snapshot_and_nothing_else_does():
    """SnapStart on the production web stage (docs/deploy.md), not on the workers
    (nobody waits on a schedule) nor dev; never with provisioned concurrency or keep_warm."""
    assert stage("production")["snap_start"] == "PublishedVersions"
    for name in ("dev", *WORKER_STAGES, *MIGRATION_STAGES):
        assert stage(name).get("snap_start", "None") == "None", name
    for name in SETTINGS:
        assert "provisioned_concurrency" not in stage(name)
        assert stage(name)["keep_warm"] is False


def test_production_runs_in_its_own_vpc_not_devs():
    assert stage("production")["vpc_config"] != stage("dev")["vpc_config"]
    assert stage("production_worker")["vpc_config"] == stage("production")["vpc_config"]
    assert stage("production_migrations")["vpc_config"] == stage("production")["vpc_config"]
    for name in SETTINGS:
        assert len(stage(name)["vpc_config"]["SubnetIds"]) >= 2  # Aurora's subnets in two zones
