"""AWS Lambda's side of a function, on this machine: the Runtime API the
function pulls its invocations from, and the sandbox its process runs in.

A function is Zappa's package unzipped into a task root (Lambda's /var/task),
the optional layer's ``python/`` folder (/opt/python), and AWS's own runtime
interface client, ``awslambdaric``, in a runtime folder (/var/runtime). Its
process is a Python 3.12 started with ``-I -S`` (no site-packages, no user
site, no PYTHON* variables): ``sys.path`` holds those folders and the
standard library only, in Lambda's order. ``awslambdaric`` asks the Runtime
API served here for the next invocation (``GET /2018-06-01/runtime/invocation/next``),
calls ``handler.lambda_handler`` and posts the result or the error back.
https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html

Where the machine allows it (Linux user and mount namespaces), the process
sees the whole file system read-only but for a fresh, empty /tmp, as on
Lambda; elsewhere the task root and the layer lose their write bits.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib.metadata import distribution
from pathlib import Path
from typing import Any

API_PREFIX = "/2018-06-01/runtime"
# The runtime interface client and what it needs, as in Lambda's /var/runtime.
RUNTIME_DISTRIBUTIONS = ("awslambdaric", "simplejson", "snapshot-restore-py")
# Started with -c: sys.path gets the function's folders (argv) ahead of the
# standard library, then the runtime interface client runs the handler named
# in _HANDLER, as Lambda's bootstrap does.
LAUNCH = """
import os, sys
sys.path[:0] = sys.argv[1:]
del sys.argv[1:]
from awslambdaric.__main__ import main
main(["awslambdaric", os.environ["_HANDLER"]])
"""


def python312() -> str:
    """The interpreter behind this virtualenv: Python 3.12 without our site-packages."""
    executable = getattr(sys, "_base_executable", sys.executable)
    if sys.version_info[:2] != (3, 12):
        raise RuntimeError(f"the Lambda runtime is Python 3.12; this is {sys.version.split()[0]}")
    return executable


def install_runtime(target: Path) -> Path:
    """Copy the runtime interface client (from this virtualenv) into ``target``."""
    for name in RUNTIME_DISTRIBUTIONS:
        dist = distribution(name)
        for file in dist.files or []:
            if "__pycache__" in file.parts or file.parts[0] == "..":
                continue
            destination = target / file
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(Path(str(dist.locate_file(file))), destination)
    return target


@cache
def namespaces_available() -> bool:
    """Can this user make a user and mount namespace (unshare -rm)?"""
    if sys.platform != "linux" or not shutil.which("unshare"):
        return False
    probe = subprocess.run(
        ["unshare", "--user", "--map-root-user", "--mount", "sh", "-c", "mount -t tmpfs probe /tmp"],
        capture_output=True,
    )
    return probe.returncode == 0


def sandboxed(command: list[str], read_only: list[Path]) -> list[str]:
    """``command`` in its own mount namespace: every file read-only (the
    function's folders explicitly, in case they are on a file system of their
    own) and an empty, private tmpfs on /tmp, Lambda's only writable place
    (512 MB, its default ephemeral storage)."""
    mounts = [f'mount --bind -o ro "{path}" "{path}"' for path in read_only]
    mounts += [
        "mount -o remount,bind,ro /",
        "if mountpoint -q /dev/shm; then mount -o remount,bind,ro /dev/shm; fi",
        "mount -t tmpfs -o size=512m,mode=1777 lambda-tmp /tmp",
    ]
    script = "set -e; " + "; ".join(mounts) + '; exec "$@"'
    return ["unshare", "--user", "--map-root-user", "--mount", "sh", "-c", script, "lambda-sandbox", *command]


def tree_state(root: Path) -> dict[str, tuple[int, int]]:
    """Every file under ``root`` with its size and modification time."""
    state = {}
    for folder, _, files in os.walk(root):
        for name in files:
            stat = os.lstat(os.path.join(folder, name))
            state[os.path.join(folder, name)] = (stat.st_size, stat.st_mtime_ns)
    return state


@dataclass
class Invocation:
    """What the caller of Lambda's Invoke API gets back: the payload, or the
    function's error (``errorType``, ``errorMessage``, ``stackTrace``)."""

    request_id: str
    payload: Any
    error_type: str = ""

    @property
    def ok(self) -> bool:
        return not self.error_type


class _Invocation:
    def __init__(self, event: Any, deadline_ms: int):
        self.request_id = str(uuid.uuid4())
        self.body = json.dumps(event).encode()
        self.deadline_ms = deadline_ms
        self.done: queue.Queue[Invocation] = queue.Queue(maxsize=1)


class RuntimeApi:
    """The Runtime API of one function, on a loopback port."""

    def __init__(self, function_arn: str):
        self.function_arn = function_arn
        self.pending: queue.Queue[_Invocation | None] = queue.Queue()
        self.in_flight: dict[str, _Invocation] = {}
        self.init_error: dict | None = None
        self.closing = threading.Event()
        api = self

        class Handler(_RuntimeApiHandler):
            runtime_api = api

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, name="lambda-runtime-api", daemon=True)

    @property
    def address(self) -> str:
        host, port = self.server.server_address[:2]
        return f"{host}:{port}"

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.closing.set()
        self.pending.put(None)
        self.server.shutdown()
        self.server.server_close()

    def submit(self, event: Any, timeout_seconds: float) -> _Invocation:
        invocation = _Invocation(event, int((time.time() + timeout_seconds) * 1000))
        self.in_flight[invocation.request_id] = invocation
        self.pending.put(invocation)
        return invocation

    def next_invocation(self) -> _Invocation | None:
        while not self.closing.is_set():
            try:
                invocation = self.pending.get(timeout=0.5)
            except queue.Empty:
                continue
            if invocation is None:
                self.pending.put(None)  # for any other poller
            return invocation
        return None

    def finish(self, request_id: str, body: bytes, error_type: str = "") -> bool:
        invocation = self.in_flight.pop(request_id, None)
        if invocation is None:
            return False
        try:
            payload = json.loads(body) if body else None
        except ValueError:
            payload = body.decode(errors="replace")
        invocation.done.put(Invocation(request_id, payload, error_type))
        return True


class _RuntimeApiHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    runtime_api: RuntimeApi

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (BaseHTTPRequestHandler's name)
        pass

    def _reply(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        try:
            self.end_headers()
            self.wfile.write(body)
        except OSError:
            pass  # the function's process is gone (the deployment is being stopped)

    def _body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while size := int(self.rfile.readline().split(b";")[0], 16):
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            self.rfile.readline()
            return b"".join(chunks)
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def do_GET(self) -> None:
        if self.path != f"{API_PREFIX}/invocation/next":
            return self._reply(404)
        invocation = self.runtime_api.next_invocation()
        if invocation is None:
            return self._reply(503)
        return self._reply(
            200,
            invocation.body,
            {
                "Content-Type": "application/json",
                "Lambda-Runtime-Aws-Request-Id": invocation.request_id,
                "Lambda-Runtime-Deadline-Ms": str(invocation.deadline_ms),
                "Lambda-Runtime-Invoked-Function-Arn": self.runtime_api.function_arn,
                "Lambda-Runtime-Trace-Id": f"Root=1-{int(time.time()):08x}-{uuid.uuid4().hex[:24]};Sampled=0",
            },
        )

    def do_POST(self) -> None:
        body = self._body()
        parts = self.path.removeprefix(API_PREFIX).strip("/").split("/")
        if parts == ["init", "error"]:
            self.runtime_api.init_error = json.loads(body or b"{}")
            return self._reply(202, b'{"status":"OK"}')
        if len(parts) == 3 and parts[0] == "invocation" and parts[2] in ("response", "error"):
            error_type = ""
            if parts[2] == "error":
                error_type = self.headers.get("Lambda-Runtime-Function-Error-Type") or "Unhandled"
            if self.runtime_api.finish(parts[1], body, error_type):
                return self._reply(202, b'{"status":"OK"}')
            return self._reply(400, b'{"errorType":"InvalidRequestID"}')
        return self._reply(404)


class LambdaFunction:
    """One function: its folders, its environment, its process and Runtime API."""

    def __init__(
        self,
        *,
        name: str,
        task_root: Path,
        layer_root: Path | None,
        runtime_root: Path,
        environment: dict[str, str],
        timeout_seconds: int,
        memory_mb: int,
        log_path: Path,
        region: str = "us-east-1",
        account: str = "123456789012",
    ):
        self.name = name
        self.task_root = task_root
        self.layer_root = layer_root
        self.runtime_root = runtime_root
        self.timeout_seconds = timeout_seconds
        self.log_path = log_path
        self.arn = f"arn:aws:lambda:{region}:{account}:function:{name}"
        self.api = RuntimeApi(self.arn)
        self.process: subprocess.Popen | None = None
        self.stopped = False
        self.environment = {
            # What Lambda sets for every Python 3.12 function.
            # https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime
            "_HANDLER": "handler.lambda_handler",
            "AWS_EXECUTION_ENV": "AWS_Lambda_python3.12",
            "AWS_LAMBDA_FUNCTION_NAME": name,
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(memory_mb),
            "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
            "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{name}",
            "AWS_LAMBDA_LOG_STREAM_NAME": f"{time.strftime('%Y/%m/%d')}/[$LATEST]{uuid.uuid4().hex}",
            "AWS_LAMBDA_RUNTIME_API": "",  # the port is known once the API listens
            "AWS_REGION": region,
            "AWS_DEFAULT_REGION": region,
            "LAMBDA_TASK_ROOT": str(task_root),
            "LAMBDA_RUNTIME_DIR": str(runtime_root),
            "LANG": "en_US.UTF-8",
            "TZ": ":UTC",
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "LD_LIBRARY_PATH": ":".join(
                [str(runtime_root), str(runtime_root / "lib"), str(task_root), str(task_root / "lib")]
                + ([str(layer_root / "lib")] if layer_root else [])
            ),
            "HOME": "/tmp",  # noqa: S108 (Lambda's only writable folder)
            **environment,
        }

    def search_path(self) -> list[str]:
        """Lambda's sys.path for Python 3.12, less the runtime's own site-packages."""
        path = [str(self.task_root)]
        if self.layer_root:
            path += [
                str(self.layer_root / "python" / "lib" / "python3.12" / "site-packages"),
                str(self.layer_root / "python"),
            ]
        return [*path, str(self.runtime_root)]

    def start(self) -> None:
        self.api.start()
        self.environment["AWS_LAMBDA_RUNTIME_API"] = self.api.address
        read_only = [self.task_root, self.runtime_root] + ([self.layer_root] if self.layer_root else [])
        command = [python312(), "-I", "-S", "-c", LAUNCH, *self.search_path()]
        if namespaces_available():
            command = sandboxed(command, read_only)
        else:
            # No namespaces: at least the package and the layer are read-only
            # (to anyone but root), and no bytecode is written next to them.
            command.insert(1, "-B")
            for root in read_only:
                subprocess.run(["chmod", "-R", "a-w", str(root)], check=True)
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            command,
            cwd=self.task_root,
            env=self.environment,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()

    def stop(self) -> None:
        if self.stopped:
            return
        self.stopped = True
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.api.stop()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def invoke(self, event: Any, *, timeout: float | None = None) -> Invocation:
        """Invoke synchronously (RequestResponse) and wait for the outcome."""
        assert self.process is not None, "start the function first"
        invocation = self.api.submit(event, self.timeout_seconds)
        give_up = time.monotonic() + (timeout or self.timeout_seconds)
        while True:
            try:
                return invocation.done.get(timeout=0.2)
            except queue.Empty:
                pass
            if self.api.init_error is not None:
                raise AssertionError(f"{self.name} failed to start: {self.api.init_error}\n{self.log()[-6000:]}")
            if self.process.poll() is not None:
                raise AssertionError(f"{self.name} exited ({self.process.returncode}):\n{self.log()[-6000:]}")
            if time.monotonic() > give_up:
                raise AssertionError(f"{self.name} did not answer within {timeout}s:\n{self.log()[-6000:]}")

    def call(self, event: Any, **options: Any) -> Any:
        """Invoke, insist on success, return the payload."""
        outcome = self.invoke(event, **options)
        assert outcome.ok, f"{self.name}: {outcome.error_type} {outcome.payload}\n{self.log()[-6000:]}"
        return outcome.payload


def unpack(archive: Path, target: Path) -> Path:
    """Unzip as Lambda does: every file readable (zipfile keeps no modes)."""
    import zipfile

    with zipfile.ZipFile(archive) as package:
        package.extractall(target)
    return target
