"""The README's curl examples (REST API, "Trying it against `make run`") work as
printed on the demo data: run verbatim by bash and curl against a live server
whose database holds what `seed_demo` gives a fresh database.

`curl` fails on an HTTP error here (--fail-with-body), `open` fetches the page,
and `make api-token` answers with a token that demo's `api_token` command got
from the local Cognito (tools/local_cognito.py), as `make run` serves it;
tests/test_local_cognito.py tests `make api-token` itself.
"""

import io
import os
import re
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from config.settings.local_cognito import local_cognito_settings
from tests.test_local_cognito import TOOL, _free_port

ROOT = Path(__file__).resolve().parent.parent
FIRST_POSITION = 10_000_000  # shipments_tracking_serial's START: a fresh database
# `make run`'s key for drawing serials (config/settings/local.py), which the README's numbers come from.
LOCAL_TRACKING_NUMBER_KEY = re.search(
    r'TRACKING_NUMBER_KEY = env\("TRACKING_NUMBER_KEY", default="([^"]+)"\)',
    (ROOT / "config" / "settings" / "local.py").read_text(),
).group(1)

PRELUDE = """
curl() { command curl --fail-with-body --max-time 60 "$@"; }
open() { command curl --fail-with-body --max-time 60 -s -o /dev/null "$1"; }
make() { test "$*" = "api-token USER=clerk.nyc01" && printf '%s\\n' "$README_TOKEN"; }
"""


def readme_blocks() -> list[str]:
    text = (ROOT / "README.md").read_text()
    section = text.split("### Trying it against `make run`", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", section, flags=re.DOTALL)
    # The real user pool's example needs AWS; every other block runs here.
    return [block for block in blocks if "aws cognito-idp" not in block]


@pytest.fixture
def fresh_demo_data(transactional_db):
    """seed_demo on a database whose tracking-number sequence is where a fresh one starts."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT last_value, is_called FROM shipments_tracking_serial")
        position, called = cursor.fetchone()
        cursor.execute("SELECT plain_below FROM shipments_tracking_serial_scheme")
        (plain_below,) = cursor.fetchone()
        cursor.execute("ALTER SEQUENCE shipments_tracking_serial RESTART")
        cursor.execute("UPDATE shipments_tracking_serial_scheme SET plain_below = %s", [FIRST_POSITION])
    try:
        with override_settings(TRACKING_NUMBER_KEY=LOCAL_TRACKING_NUMBER_KEY):
            call_command("seed_demo", stdout=io.StringIO())
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT last_value FROM shipments_tracking_serial")
            (drawn,) = cursor.fetchone()
            cursor.execute(
                "SELECT setval('shipments_tracking_serial', %s, %s)", [max(position, drawn), called or drawn > position]
            )
            cursor.execute("UPDATE shipments_tracking_serial_scheme SET plain_below = %s", [plain_below])


@pytest.fixture
def local_cognito_token(tmp_path):
    state, port = tmp_path / "local-cognito.json", _free_port()
    server = subprocess.Popen([*TOOL, "serve", "--port", str(port), "--state", str(state)])  # noqa: S603
    try:
        subprocess.run([*TOOL, "wait", "--pid", str(server.pid), "--state", str(state)], check=True, timeout=60)  # noqa: S603
        with override_settings(**local_cognito_settings(state)):
            out = io.StringIO()
            call_command("api_token", "clerk.nyc01", stdout=out, stderr=io.StringIO())
            yield out.getvalue().strip()
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_the_readme_api_examples_work_as_printed(fresh_demo_data, local_cognito_token, live_server, tmp_path):
    blocks = readme_blocks()
    assert len(blocks) == 3, "the session, token and public examples"
    outputs = []
    for block in blocks:
        script = PRELUDE + block.replace("http://127.0.0.1:8000", live_server.url)
        result = subprocess.run(  # noqa: S603 (bash running the README's own lines)
            ["bash", "-euo", "pipefail", "-c", script],
            cwd=tmp_path,
            env={**os.environ, "README_TOKEN": local_cognito_token},
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, f"{block}\n{result.stdout}\n{result.stderr}"
        outputs.append(result.stdout)
    session, token, public = outputs
    assert '"status":"accepted"' in session  # the event recorded on EE547094477US
    assert '"total"' in session  # the quote
    assert '"tracking_number":"EE547094477US"' in token
    assert '"tracking_number":"EX706858621US"' in public
    assert '"status":"delivered"' in public


def test_the_readmes_demo_cod_parcels_are_the_demos(fresh_demo_data):
    from counter.models import PackageAccount

    readme = (ROOT / "README.md").read_text()
    cod = {
        account.package.tracking_number: account
        for account in PackageAccount.objects.filter(cod_amount__gt=0).select_related(
            "package__origin_office", "package__destination_office"
        )
    }
    collected, to_collect = cod["EX014319240US"], cod["EX037312580US"]
    assert (collected.package.status, collected.package.origin_office.code) == ("delivered", "NYC01")
    assert collected.package.destination_office.location.city == "Denver"
    assert str(collected.cod_amount) == "85.00"
    assert collected.package.payments.filter(kind="cod").exists()
    assert (to_collect.package.status, to_collect.package.current_office.code) == ("out_for_delivery", "NYC01")
    assert str(to_collect.cod_amount) == "60.00"
    assert not to_collect.package.payments.filter(kind="cod").exists()
    assert "`EX014319240US`, sent from NYC01 and delivered\n  in Denver" in readme
    assert "`EX037312580US`, out for delivery at NYC01, has 60.00 USD to collect" in readme
