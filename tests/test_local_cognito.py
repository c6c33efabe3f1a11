"""Bearer tokens on a laptop: `make run` serves a local Cognito (moto) beside the
development server, `make api-token USER=...` prints a token from it, and the
local settings' API accepts that token; a frontend on localhost may call it."""

import io
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from config.settings.local_cognito import local_cognito_settings

ROOT = Path(__file__).resolve().parent.parent
TOOL = [sys.executable, str(ROOT / "tools" / "local_cognito.py")]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        # As a server binds it: a port whose last connections are still closing (TIME_WAIT) is free.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _wait_until(condition, seconds: float = 20) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


@pytest.fixture
def local_cognito(tmp_path):
    """The local Cognito as `make run` starts it: the serve process, then wait."""
    state, port = tmp_path / "local-cognito.json", _free_port()
    server = subprocess.Popen(  # noqa: S603 (our own interpreter and tool)
        [*TOOL, "serve", "--port", str(port), "--state", str(state)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    subprocess.run([*TOOL, "wait", "--pid", str(server.pid), "--state", str(state)], check=True, timeout=60)  # noqa: S603
    yield server, state, port
    if server.poll() is None:
        server.kill()
        server.wait()


def test_a_token_from_make_api_token_signs_in_to_the_local_api(local_cognito, clerk_a, package_a, api_client):
    server, state, port = local_cognito
    local = local_cognito_settings(state)
    assert local["COGNITO_JWKS_URL"].startswith(f"http://127.0.0.1:{port}/")
    with override_settings(**local):
        out, err = io.StringIO(), io.StringIO()
        call_command("api_token", "clerk_a", stdout=out, stderr=err)
        token = out.getvalue().strip()
        assert "clerk_a" in err.getvalue()
        response = api_client.get("/api/v1/packages/", HTTP_AUTHORIZATION=f"Bearer {token}")
        assert response.status_code == 200, response.content
        assert [row["tracking_number"] for row in response.json()["results"]] == [package_a.tracking_number]
        # Asked again (a second terminal, a new hour): another token, as good.
        call_command("api_token", "clerk_a", stdout=(again := io.StringIO()), stderr=io.StringIO())
        assert (
            api_client.get("/api/v1/packages/", HTTP_AUTHORIZATION=f"Bearer {again.getvalue().strip()}").status_code
            == 200
        )

    # Ctrl-C on `make run` stops it: quietly, its port and state file released.
    server.send_signal(signal.SIGINT)
    _, stderr = server.communicate(timeout=20)
    assert server.returncode == 0
    assert "Traceback" not in stderr
    assert not state.exists()
    assert _port_is_free(port)


def test_the_pool_has_the_same_ids_after_a_restart(local_cognito, tmp_path):
    """So a token printed before a restart of `make run` is still accepted after it."""
    server, state, port = local_cognito
    before = json.loads(state.read_text())
    server.terminate()
    server.wait(timeout=20)
    again = subprocess.Popen([*TOOL, "serve", "--port", str(port), "--state", str(state)])  # noqa: S603
    try:
        subprocess.run([*TOOL, "wait", "--pid", str(again.pid), "--state", str(state)], check=True, timeout=60)  # noqa: S603
        assert json.loads(state.read_text()) == before
    finally:
        again.terminate()
        again.wait(timeout=20)


def test_the_local_cognito_stops_when_make_run_is_killed(tmp_path):
    """Whatever kills `make run` (even kill -9), the server does not outlive it holding its port."""
    state, port = tmp_path / "local-cognito.json", _free_port()
    shell = subprocess.Popen(  # noqa: S603
        [
            "bash",
            "-c",
            f"{TOOL[0]} {TOOL[1]} serve --port {port} --state {state} & "
            f"{TOOL[0]} {TOOL[1]} wait --pid $! --state {state}; kill -KILL $$",
        ]
    )
    shell.wait(timeout=60)
    assert shell.returncode == -signal.SIGKILL
    assert _wait_until(lambda: not state.exists() and _port_is_free(port))


def test_a_second_make_run_leaves_the_port_to_the_first(local_cognito):
    server, state, port = local_cognito
    second = subprocess.run(  # noqa: S603
        [*TOOL, "serve", "--port", str(port), "--state", str(state)], capture_output=True, text=True, timeout=60
    )
    assert second.returncode == 0
    assert f"port {port} is in use" in second.stderr
    assert state.exists()  # the first one's, untouched
    assert server.poll() is None


def test_api_token_without_make_run_says_to_start_it(clerk_a):
    with override_settings(LOCAL_COGNITO_ENDPOINT=""), pytest.raises(CommandError, match="start `make run`"):
        call_command("api_token", "clerk_a", stdout=io.StringIO())


def test_api_token_names_the_demo_users_for_an_unknown_one(db):
    with (
        override_settings(LOCAL_COGNITO_ENDPOINT="http://127.0.0.1:9"),
        pytest.raises(CommandError, match="clerk.nyc01"),
    ):
        call_command("api_token", "nobody", stdout=io.StringIO())


def test_make_api_token_needs_a_user_on_the_command_line():
    """$USER is always set (the login name): only USER=... on make's command line counts."""
    environment = {**os.environ, "USER": "someone"}
    result = subprocess.run(
        ["make", "--no-print-directory", "-o", ".venv/bin/activate", "api-token"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "usage: make api-token USER=" in result.stderr


LOCAL_SETTINGS_CHECK = """
import json, sys
from pathlib import Path
import config.settings.local_cognito as local_cognito
local_cognito.STATE_FILE = Path(sys.argv[1])
import django
django.setup()
from django.conf import settings
from django.test import Client
client = Client()
allowed = {}
for origin in ("http://localhost:5173", "http://127.0.0.1:3000", "http://localhost", "https://evil.example", "http://localhost.evil.example"):
    answer = client.options("/api/v1/packages/", HTTP_ORIGIN=origin, HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
                            HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization")
    allowed[origin] = answer.get("Access-Control-Allow-Origin") == origin
print(json.dumps({"allowed": allowed, "jwks": settings.COGNITO_JWKS_URL, "pool": settings.COGNITO_USER_POOL_ID}))
"""


def test_the_local_settings_use_the_local_cognito_and_let_localhost_call_the_api(tmp_path):
    state = tmp_path / "local-cognito.json"
    state.write_text(
        json.dumps(
            {"endpoint": "http://127.0.0.1:8001", "region": "us-east-1", "pool_id": "us-east-1_x", "client_id": "c"}
        )
    )
    environment = {key: value for key, value in os.environ.items() if not key.startswith(("COGNITO_", "DJANGO_"))}
    environment |= {
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none",
    }
    result = subprocess.run(  # noqa: S603 (our own interpreter and code)
        [sys.executable, "-c", LOCAL_SETTINGS_CHECK, str(state)],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    checked = json.loads(result.stdout.strip().splitlines()[-1])
    assert checked["jwks"] == "http://127.0.0.1:8001/us-east-1_x/.well-known/jwks.json"
    assert checked["pool"] == "us-east-1_x"
    assert checked["allowed"] == {
        "http://localhost:5173": True,
        "http://127.0.0.1:3000": True,
        "http://localhost": True,
        "https://evil.example": False,
        "http://localhost.evil.example": False,
    }
