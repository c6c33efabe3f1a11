"""A local Amazon Cognito for `make run`: moto's server with one user pool and
app client, so the REST API can be tried with bearer tokens on a laptop.

    python tools/local_cognito.py serve [--port 8001] [--state .data/local-cognito.json]

`make run` starts it in the background before the development server and stops
it when the server stops (Ctrl-C); it also stops by itself when the process that
started it is gone, so it never outlives `make run` holding its port. Once the
pool answers, it writes the pool's and client's ids to the state file, which
the local settings read (config/settings/local_cognito.py); it removes the file
when it stops. `make api-token USER=...` (demo's `api_token` command) signs a
back-office user in to it and prints the access token.

The ids are the same at every start (moto's HASH id strategy), so a token
printed before a restart of `make run` is still accepted after it, until it
expires (an hour). Development only: moto signs every token with a key it
publishes.
"""

import argparse
import json
import logging
import os
import signal
import socket
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from config.settings.local_cognito import DEFAULT_PORT, REGION, STATE_FILE  # noqa: E402

POOL_NAME = "parcels-local"
CLIENT_NAME = "frontend-local"


def port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        # As a server binds it: a port whose last connections are still closing (TIME_WAIT) is free.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def create_pool(endpoint: str) -> dict[str, str]:
    """The user pool and its app client (user name and password sign-in), in the server at ``endpoint``."""
    import boto3

    cognito = boto3.client(
        "cognito-idp",
        region_name=REGION,
        endpoint_url=endpoint,
        aws_access_key_id="local",
        aws_secret_access_key="local",  # noqa: S106 (moto checks nothing; no real credential is used)
    )
    pool_id = cognito.create_user_pool(PoolName=POOL_NAME)["UserPool"]["Id"]
    client_id = cognito.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName=CLIENT_NAME,
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]["ClientId"]
    return {"endpoint": endpoint, "region": REGION, "pool_id": pool_id, "client_id": client_id}


def serve(port: int, state_file: Path) -> int:
    if not port_is_free(port):
        print(
            f"local Cognito: port {port} is in use, so `make api-token` will not work "
            "(another `make run`? set LOCAL_COGNITO_PORT to another port)",
            file=sys.stderr,
        )
        return 0
    # Stable ids across restarts (moto reads these when the pool and client are created).
    os.environ["MOTO_COGNITO_IDP_USER_POOL_ID_STRATEGY"] = "HASH"
    os.environ["MOTO_COGNITO_IDP_USER_POOL_CLIENT_ID_STRATEGY"] = "HASH"
    from moto.server import ThreadedMotoServer

    # Not a line per request beside the development server's own.
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, lambda *_: stop.set())
    parent = os.getppid()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        state = create_pool(f"http://127.0.0.1:{port}")
        state_file.parent.mkdir(parents=True, exist_ok=True)
        written = state_file.with_suffix(".tmp")
        written.write_text(json.dumps(state, indent=2) + "\n")
        written.replace(state_file)
        # Until told to stop, or until whoever started it is gone (its parent is then another process).
        while not stop.wait(1) and os.getppid() == parent:
            pass
    finally:
        state_file.unlink(missing_ok=True)
        server.stop()
    return 0


def wait(pid: int, state_file: Path, timeout: float) -> int:
    """Until the server started as ``pid`` answers (or has given up: its port was taken)."""
    import time
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except OSError:
            return 0  # it said why on stderr; the back-office runs without tokens
        try:
            state = json.loads(state_file.read_text())
            jwks = f"{state['endpoint']}/{state['pool_id']}/.well-known/jwks.json"
            with urllib.request.urlopen(jwks, timeout=1):  # noqa: S310 (our own loopback URL)
                return 0
        except (OSError, ValueError, KeyError):
            time.sleep(0.1)
    print(f"local Cognito: not ready after {timeout:.0f} s; `make api-token` may not work", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    serve_parser = commands.add_parser("serve", help="serve moto's Cognito with one pool until stopped")
    serve_parser.add_argument(
        "--port", type=int, default=int(os.environ.get("LOCAL_COGNITO_PORT") or DEFAULT_PORT), help="default 8001"
    )
    serve_parser.add_argument("--state", type=Path, default=STATE_FILE, help="where the pool's ids are written")
    wait_parser = commands.add_parser("wait", help="wait until the server started as --pid answers")
    wait_parser.add_argument("--pid", type=int, required=True)
    wait_parser.add_argument("--state", type=Path, default=STATE_FILE)
    wait_parser.add_argument("--timeout", type=float, default=30)
    arguments = parser.parse_args(argv)
    if arguments.command == "wait":
        return wait(arguments.pid, arguments.state, arguments.timeout)
    return serve(arguments.port, arguments.state)


if __name__ == "__main__":
    sys.exit(main())
