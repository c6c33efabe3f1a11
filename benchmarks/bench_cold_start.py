"""Lambda cold start: a fresh process imports Zappa's handler from the unpacked
package and answers one API Gateway ``GET /healthz``, as Lambda runs it.

Keys: ``cold_start_ms`` (this project), ``skeleton_cold_start_ms`` (a bare
Django + DRF project, benchmarks/skeleton/, packaged the same way and doing the
same work in its /healthz: one ``SELECT 1``) and ``cold_start_ratio`` (goal: at
most 1.3). Medians of ``BENCH_COLD_START_ROUNDS`` (default 10) alternating rounds.
``cold_start_cpu_ms`` and ``skeleton_cold_start_cpu_ms``: the CPU time of the same
processes (start to exit), which other load on the machine disturbs less.

Each child runs ``python -S -E`` with nothing on its path but the function's
folder and the AWS SDK layer's ``python/`` (and the standard library), in a
read-only copy of the unzipped package with PYTHONDONTWRITEBYTECODE=1, with the
environment Lambda gives the function (the stage's ``aws_environment_variables``,
so ``INSTANTIATE_LAMBDA_HANDLER_ON_IMPORT`` when the stage sets it) and the
production settings' variables, against the real PostgreSQL. A time is the wall
clock from starting the process to the response being printed. The child then
lists every imported module whose cached bytecode is missing: it must be none
(nothing is compiled at a cold start), or the run fails. (The copy's write bits
are off, but root writes anyway: that check is what proves it.) A server on this
machine without TLS is reached over its Unix socket (local_database_url).

``python benchmarks/bench_cold_start.py`` runs it alone (DATABASE_URL needed).
"""

import json
import os
import resource
import secrets
import shutil
import stat
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
SKELETON = Path(__file__).resolve().parent / "skeleton"
STAGE = "production"
ROUNDS = int(os.environ.get("BENCH_COLD_START_ROUNDS", 10))


# --- the build ------------------------------------------------------------------------


def build(project_dir: Path, out_dir: Path) -> None:
    """``out_dir``/lambda.zip and ``out_dir``/aws-sdk-layer.zip for ``project_dir``'s production
    stage, built exactly as `make package` builds ours (tools/package_lambda.py: the lock in a
    virtualenv outside the tree, `zappa package`, the AWS SDK in a layer, bytecode compiled with
    unchecked hashes)."""
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "tools" / "package_lambda.py"),
            "--project",
            str(project_dir),
            "--lock",
            str(project_dir / "requirements.lock"),
            "--stage",
            STAGE,
            "--out",
            str(out_dir),
            "--python",
            sys._base_executable,
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )


# --- unpacked as Lambda has it ------------------------------------------------------


def unpack(out_dir: Path, dest: Path) -> tuple[Path, Path]:
    """The function's folder (/var/task) and the layer's python/ (/opt/python), read-only."""
    task, opt = dest / "task", dest / "opt"
    with zipfile.ZipFile(out_dir / "lambda.zip") as archive:
        archive.extractall(task)
    with zipfile.ZipFile(out_dir / "aws-sdk-layer.zip") as archive:
        archive.extractall(opt)
    _set_writable(dest, False)
    return task, opt / "python"


def _set_writable(folder: Path, writable: bool) -> None:
    write = stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH
    for path in [folder, *folder.rglob("*")]:
        if path.is_symlink():
            continue
        mode = path.stat().st_mode
        path.chmod((mode | stat.S_IWUSR) if writable else (mode & ~write))


# What the child runs: Lambda's Python bootstrap imports the handler module by
# name with the function's folder and the layers on its path, then calls it.
CHILD = r"""
import sys
sys.path[:] = [TASK, LAYER] + [p for p in sys.path if p and p.startswith(sys.base_prefix)]
import importlib, os
os.chdir(TASK)
handler = importlib.import_module("handler")
event = EVENT


class Context:
    aws_request_id = "c0ffee00-0000-4000-8000-000000000000"
    function_name = os.environ["AWS_LAMBDA_FUNCTION_NAME"]
    function_version = "$LATEST"
    invoked_function_arn = "arn:aws:lambda:us-east-1:000000000000:function:" + function_name
    memory_limit_in_mb = os.environ["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"]
    log_group_name = "/aws/lambda/" + function_name
    log_stream_name = "2026/01/01/[$LATEST]0"

    @staticmethod
    def get_remaining_time_in_millis():
        return 30000


response = handler.lambda_handler(event, Context())
sys.stdout.write("cold-start-response: " + str(response.get("statusCode")) + "\n")
sys.stdout.flush()
assert response.get("statusCode") == 200, response
import json
uncached = sorted(
    name for name, module in list(sys.modules.items())
    if getattr(module, "__cached__", None) and not os.path.exists(module.__cached__)
)
print(json.dumps({"modules": len(sys.modules), "uncached": uncached, "boto3": "boto3" in sys.modules}))
"""


def _stage(project_dir: Path) -> dict:
    """The stage's settings as Zappa reads them (``extends`` resolved), as the package build reads them."""
    from tools.package_lambda import stage_settings

    return stage_settings(project_dir, STAGE)


def healthz_event(host: str) -> dict:
    """An API Gateway (REST, proxy integration) event for GET /healthz, as a load balancer's check sends it."""
    from tests.lambda_package.api_gateway import proxy_event

    return proxy_event(
        "GET",
        "/healthz",
        host=host,
        stage=STAGE,
        headers={"Accept": "application/json", "User-Agent": "ELB-HealthChecker/2.0"},
    )


def lambda_env(project_dir: Path, database_url: str, tmp: Path) -> dict:
    """What Lambda's runtime gives the process: its own variables, the stage's
    ``aws_environment_variables``, and the production secrets (set on the function)."""
    stage = _stage(project_dir)
    name = f"{stage['project_name']}-{STAGE}"
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "LANG": "en_US.UTF-8",
        "TZ": ":UTC",
        "HOME": str(tmp),
        "TMPDIR": str(tmp),
        "PYTHONDONTWRITEBYTECODE": "1",
        "LAMBDA_TASK_ROOT": "/var/task",
        "LAMBDA_RUNTIME_DIR": "/var/runtime",
        "AWS_EXECUTION_ENV": "AWS_Lambda_python3.12",
        "AWS_LAMBDA_FUNCTION_NAME": name,
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(stage.get("memory_size", 512)),
        "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{name}",
        "AWS_REGION": stage.get("aws_region", "us-east-1"),
        "AWS_DEFAULT_REGION": stage.get("aws_region", "us-east-1"),
        "_HANDLER": "handler.lambda_handler",
        # The function's own (placeholder) credentials, as Lambda sets them from its role.
        "AWS_ACCESS_KEY_ID": "ASIACOLDSTART",
        "AWS_SECRET_ACCESS_KEY": "cold-start",
        "AWS_SESSION_TOKEN": "cold-start",
        # The production settings' required variables (Makefile PRODUCTION_ENV).
        "DJANGO_SECRET_KEY": secrets.token_hex(32),
        "DATABASE_URL": database_url,
        "AWS_STORAGE_BUCKET_NAME": "cold-start-static",
        "AWS_MEDIA_BUCKET_NAME": "cold-start-media",
        "TRACKING_NUMBER_KEY": secrets.token_hex(32),
        "NOTIFICATIONS_TOPIC_ARN": "arn:aws:sns:us-east-1:000000000000:cold-start",
        "NOTIFICATIONS_FROM_EMAIL": "cold-start@example.com",
        "PUBLIC_TRACKING_URL": "https://cold-start.example.com",
    }
    env.update(stage.get("aws_environment_variables", {}))
    return env


def local_database_url(url: str) -> str:
    """``url``, or the same database over the server's Unix socket when its server
    has TLS off: production requires TLS (sslmode=require), which libpq does not
    use over a local socket. Both projects connect the same way."""
    import psycopg2

    with psycopg2.connect(url) as connection, connection.cursor() as cursor:
        cursor.execute("SHOW ssl")
        ssl_on = cursor.fetchone()[0] == "on"
        cursor.execute("SHOW unix_socket_directories")
        socket_dir = cursor.fetchone()[0].split(",")[0].strip()
    connection.close()
    parts = urlsplit(url)
    if ssl_on or (parts.query and "host=" in parts.query) or parts.hostname not in ("127.0.0.1", "localhost"):
        return url
    credentials = parts.username + (f":{parts.password}" if parts.password else "") + "@" if parts.username else ""
    return f"postgres://{credentials}{parts.path}?host={socket_dir}&port={parts.port or 5432}"


class Package:
    """One unpacked package and how to start it cold."""

    def __init__(self, project_dir: Path, scratch: Path, database_url: str):
        out = scratch / f"{project_dir.name}-build"
        started = time.perf_counter()
        build(project_dir, out)
        print(
            f"bench: cold start: built {project_dir.name} in {time.perf_counter() - started:.0f}s"
            f" (lambda.zip {(out / 'lambda.zip').stat().st_size / 2**20:.1f} MiB)",
            file=sys.stderr,
        )
        self.task, self.layer = unpack(out, scratch / f"{project_dir.name}-unpacked")
        self.env = lambda_env(project_dir, database_url, scratch)
        host = _stage(project_dir)["environment_variables"]["DJANGO_ALLOWED_HOSTS"].split(",")[0]
        self.code = f"TASK = {str(self.task)!r}\nLAYER = {str(self.layer)!r}\nEVENT = {healthz_event(host)!r}\n" + CHILD
        self.report: dict = {}

    def cold_start_ms(self) -> tuple[float, float]:
        """Wall milliseconds from starting the process to the response, and the
        CPU milliseconds (user + system) of the whole process."""
        cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
        with tempfile.TemporaryFile("w+") as errors:
            started = time.perf_counter()
            child = subprocess.Popen(
                [sys._base_executable, "-S", "-E", "-c", self.code],
                cwd=self.task,
                env=self.env,
                stdout=subprocess.PIPE,
                stderr=errors,
                text=True,
            )
            # Zappa prints "Instancing.." first; the child's marker line says the response is there.
            status = ""
            for line in child.stdout:
                if line.startswith("cold-start-response: "):
                    status = line.split(": ", 1)[1].strip()
                    break
            elapsed = (time.perf_counter() - started) * 1000
            rest = child.stdout.read()
            child.wait(timeout=120)
            errors.seek(0)
            if child.returncode != 0 or status != "200":
                raise RuntimeError(f"cold start of {self.task} failed ({status}):\n{rest}\n{errors.read()}")
        self.report = json.loads(rest)
        if self.report["uncached"]:
            raise RuntimeError(f"compiled at start-up (no cached bytecode): {self.report['uncached']}")
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu_ms = (after.ru_utime + after.ru_stime - cpu.ru_utime - cpu.ru_stime) * 1000
        return elapsed, cpu_ms


def run(bench=None) -> dict:
    if bench is not None:
        # The migrated 1k scratch database of `make bench`.
        prefix = os.environ.get("BENCH_DB_PREFIX", "parcels_bench")
        database_url = urlunsplit(urlsplit(bench.server_url)._replace(path=f"/{prefix}_1k"))
    else:
        database_url = os.environ["DATABASE_URL"]
    database_url = local_database_url(database_url)
    scratch = Path(tempfile.mkdtemp(prefix="cold-start-"))
    try:
        packages = {"ours": Package(ROOT, scratch, database_url), "skeleton": Package(SKELETON, scratch, database_url)}
        samples: dict[str, list[float]] = {name: [] for name in packages}
        cpu: dict[str, list[float]] = {name: [] for name in packages}
        for _ in range(ROUNDS):
            for name, package in packages.items():
                wall_ms, cpu_ms = package.cold_start_ms()
                samples[name].append(wall_ms)
                cpu[name].append(cpu_ms)
        medians = {name: statistics.median(values) for name, values in samples.items()}
        cpu_medians = {name: statistics.median(values) for name, values in cpu.items()}
        for name, package in packages.items():
            print(
                f"bench: cold start: {name}: {package.report['modules']} modules, none compiled;"
                f" boto3 imported: {package.report['boto3']}; samples {[round(s) for s in samples[name]]}",
                file=sys.stderr,
            )
    finally:
        _set_writable(scratch, True)
        shutil.rmtree(scratch, ignore_errors=True)
    return {
        "cold_start_ms": round(medians["ours"], 1),
        "skeleton_cold_start_ms": round(medians["skeleton"], 1),
        "cold_start_ratio": round(medians["ours"] / medians["skeleton"], 2),
        # Less disturbed by other processes on a busy machine than the wall clock.
        "cold_start_cpu_ms": round(cpu_medians["ours"], 1),
        "skeleton_cold_start_cpu_ms": round(cpu_medians["skeleton"], 1),
    }


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    print(json.dumps(run(), indent=2))
